# IeVP calls the agreement "līgums" (agreements/terms.py). Its first text, made by 0002,
# says "vienošanās" throughout: give IeVP a new version in its own word, unless a central
# coordinator has already written one (then it is theirs to change: the texts page shows the
# current version). Generated agreements keep version 1; drafts move to the new text.
from django.db import migrations

# 0002's text, copied (a migration must not import another one's module).
FIRST_BODY = """{{ institution }} (turpmāk — Iestāde), tās struktūrvienības „{{ unit }}” personā, no vienas puses, un {{ volunteer_name }}, personas kods {{ personal_code }}, dzīvesvieta: {{ address }} (turpmāk — Brīvprātīgais), no otras puses, saskaņā ar Brīvprātīgā darba likumu noslēdz šo vienošanos.

1. Vienošanās priekšmets. Brīvprātīgais bez atlīdzības veic brīvprātīgo darbu jomā „{{ role }}”: {{ duties }}

2. Vieta un laiks. Darbs notiek: {{ place }}. Vienošanās ir spēkā no {{ start_date }} līdz {{ end_date }}. Paredzētais apjoms — līdz {{ hours_per_week }} stundām nedēļā pēc saskaņota grafika.

3. Izdevumi. {% if expenses %}Iestāde atlīdzina šādus ar brīvprātīgo darbu saistītos izdevumus: {{ expenses }}{% else %}Ar brīvprātīgo darbu saistītie izdevumi netiek atlīdzināti.{% endif %}

4. Apdrošināšana. {% if insurance %}Brīvprātīgais ir apdrošināts pret nelaimes gadījumiem, polise Nr. {{ insurance }}.{% else %}Brīvprātīgā veiktais darbs nav iekļauts Ministru kabineta 2015. gada noteikumu Nr. 762 pielikumā minētajos darbos, tāpēc apdrošināšana nav obligāta.{% endif %}

5. Konfidencialitāte. Brīvprātīgais neizpauž informāciju, kas kļuvusi zināma, veicot brīvprātīgo darbu, par ieslodzītajiem, probācijas klientiem, cietušajiem un Iestādes darbiniekiem, kā arī ievēro Iestādes iekšējās kārtības un drošības noteikumus. Pienākums ir spēkā arī pēc vienošanās beigām.

6. Personas datu apstrāde. Iestāde apstrādā Brīvprātīgā personas datus vienošanās izpildei un brīvprātīgā darba uzskaitei saskaņā ar Vispārīgo datu aizsardzības regulu; Brīvprātīgais ir iepazinies ar privātuma paziņojumu.

7. Tiesības un pienākumi. Brīvprātīgais ir informēts par savām tiesībām un pienākumiem. Brīvprātīgais darbs neaizstāj darbinieka darbu. Brīvprātīgais var pieprasīt izziņu par veikto brīvprātīgo darbu.

8. Vienošanās izbeigšana. Katra puse var izbeigt vienošanos, rakstiski paziņojot otrai pusei vismaz {{ notice_days }} dienas iepriekš. Pusēm savstarpēji vienojoties, vienošanos var izbeigt ātrāk.
{% if guardian %}
9. Nepilngadīgais. Brīvprātīgais ir nepilngadīgs; viņa likumiskais pārstāvis {{ guardian }} ar parakstu apliecina rakstisku piekrišanu.{% endif %}

Vienošanās sagatavota divos eksemplāros, pa vienam katrai pusei."""

REPLACEMENTS = [
    ("noslēdz šo vienošanos", "noslēdz šo līgumu"),
    ("1. Vienošanās priekšmets.", "1. Līguma priekšmets."),
    ("Vienošanās ir spēkā no", "Līgums ir spēkā no"),
    ("pēc vienošanās beigām", "pēc līguma beigām"),
    ("vienošanās izpildei", "līguma izpildei"),
    (
        "8. Vienošanās izbeigšana. Katra puse var izbeigt vienošanos",
        "8. Līguma izbeigšana. Katra puse var izbeigt līgumu",
    ),
    ("vienojoties, vienošanos var izbeigt ātrāk", "vienojoties, līgumu var izbeigt ātrāk"),
    ("Vienošanās sagatavota divos eksemplāros", "Līgums sagatavots divos eksemplāros"),
]


def ligums_body() -> str:
    body = FIRST_BODY
    for old, new in REPLACEMENTS:
        assert old in body, old
        body = body.replace(old, new)
    return body


def load(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    institution = Institution.objects.filter(code="IEVP").first()
    if institution is None:
        return
    current = (
        AgreementTemplate.objects.filter(institution=institution, role__isnull=True)
        .order_by("-version")
        .first()
    )
    if current is None or current.body != FIRST_BODY:
        return  # no text yet (0002 makes it when the institution exists), or one of their own
    new = AgreementTemplate.objects.create(
        institution=institution,
        role=None,
        version=current.version + 1,
        title=current.title,
        body=ligums_body(),
    )
    # Drafts have no number or PDF yet: they take the new text (a generated agreement keeps its own).
    Agreement = apps.get_model("agreements", "Agreement")
    Agreement.objects.filter(template=current, status="draft").update(template=new)


class Migration(migrations.Migration):
    dependencies = [("agreements", "0006_remove_document")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
