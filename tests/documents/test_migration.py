"""The data migration that moved agreement PDFs into the shared documents app keeps every
file and hash, gives each a verification code, and revokes the PDFs of terminated
agreements; migrating back restores the old rows."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.storage import private_storage
from tests.agreements import builders

BEFORE = [("agreements", "0004_agreement_status_labels"), ("documents", "0001_initial")]
AFTER = [("documents", "0002_agreement_documents")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_agreement_pdfs_keep_their_files_and_hashes_when_moved_to_the_documents_app(olaine):
    active = builders.agreement_row(olaine, status="active")
    terminated = builders.agreement_row(olaine, status="ended")
    type(terminated).objects.filter(pk=terminated.pk).update(end_kind="terminated")
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        old_apps = _migrate(BEFORE)
        OldDocument = old_apps.get_model("agreements", "Document")
        stored = {}
        for agreement, version in [(active, 1), (active, 2), (terminated, 1)]:
            content = f"%PDF-1.7\n% {agreement.number} v{version}\n".encode()
            name = private_storage.save(
                f"documents/2026/{agreement.number}-v{version}.pdf", ContentFile(content)
            )
            OldDocument.objects.create(
                agreement_id=agreement.pk,
                version=version,
                state="done",
                file=name,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
            stored[agreement.pk, version] = (name, hashlib.sha256(content).hexdigest())

        new_apps = _migrate(AFTER)
        Document = new_apps.get_model("documents", "Document")
        moved = {(d.object_id, d.version): d for d in Document.objects.all()}
        assert set(moved) == set(stored)
        for key, (name, sha) in stored.items():
            document = moved[key]
            assert document.kind == "agreement"
            assert document.file.name == name
            assert document.sha256 == sha
            with private_storage.open(name, "rb") as handle:
                assert hashlib.sha256(handle.read()).hexdigest() == sha
            assert len(document.verification_code) == 12
            assert document.unit_id == olaine.pk
        assert moved[terminated.pk, 1].revoked_at is not None
        assert moved[active.pk, 1].revoked_at is None
        assert moved[active.pk, 2].number == active.number

        new_apps.get_model("agreements", "Document").objects.all().delete()  # as agreements 0006 would
        back_apps = _migrate(BEFORE)
        restored = back_apps.get_model("agreements", "Document").objects.all()
        assert {(d.agreement_id, d.version): (d.file.name, d.sha256) for d in restored} == stored
    finally:
        _migrate(leaves)
