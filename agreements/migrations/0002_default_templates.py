"""The first version of each institution's agreement text (Volunteer Work Law, 2016).
Central coordinators publish new versions; agreements keep the version they were made from."""

from django.db import migrations

BODY = """{{ institution }} (turpmāk — Iestāde), tās struktūrvienības „{{ unit }}” personā, no vienas puses, un {{ volunteer_name }}, personas kods {{ personal_code }}, dzīvesvieta: {{ address }} (turpmāk — Brīvprātīgais), no otras puses, saskaņā ar Brīvprātīgā darba likumu noslēdz šo vienošanos.

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

TITLES = {
    "VPD": "Vienošanās par brīvprātīgā darba veikšanu",
    "IEVP": "Līgums par brīvprātīgā darba veikšanu ieslodzījuma vietā",
}


def load(apps, schema_editor):
    Institution = apps.get_model("institutions", "Institution")
    AgreementTemplate = apps.get_model("agreements", "AgreementTemplate")
    for code, title in TITLES.items():
        institution = Institution.objects.filter(code=code).first()
        if institution and not AgreementTemplate.objects.filter(institution=institution).exists():
            AgreementTemplate.objects.create(
                institution=institution, role=None, version=1, title=title, body=BODY
            )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial"), ("institutions", "0002_load_units")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
