"""Demo award "Cilvēks – cilvēkam": the Ministry's award administrator (``balva@tilts.demo``)
and a jury of three (``zurija1@tilts.demo`` chairs it, ``zurija2@`` and ``zurija3@tilts.demo``),
all with the demo password;

- five past cycles, 2020–2024, announced at the conference "Brīvprātīgi par drošāku sabiedrību
  – dari un atbalsti" in late November: the default criteria, the three jurors, four to seven
  nominations each from coordinators and through the public form over IeVP's prisons and VPD's
  regions and departments (a few not eligible, one withdrawn), a submitted score sheet from
  every jury member on every eligible nomination (one conflict of interest in 2022), one to
  three laureates with a citation — all but one consented to be named on the public page
  (2021's first laureate did not). The 2024 laureates have their diplomas (once the diploma's
  document kind is registered); the Jelgavas cietums laureate of 2024 is a real demo volunteer,
  who volunteered there in 2024 under the events demo's earlier agreement;
- this year's cycle, open for nominations today (15 October – 31 December, the conference at
  the end of January): two nominations from coordinators (``olaine@tilts.demo`` for a volunteer
  of Olaines cietums, ``vpd.jelgava@tilts.demo`` for one of Jelgavas 1. nodaļa), three through
  the public form — one linked to the volunteer's record and found eligible by
  ``ievp.centrs@tilts.demo``, one not eligible (with the reason), the rest waiting for the
  check; the same jury.

The past is written as rows the way the services leave them (gapless numbers per cycle,
statuses, who checked and when, submitted sheets, laureates eligible, who decided and when,
the laureates' emails marked as sent) — without emails or audit entries; the 2020–2023
nominations predate the volunteers' records in Tilts, so none of them is linked to one.
This year's cycle goes through the services (the jury's invitation emails are queued like
any other). Deterministic; idempotent: once any cycle exists nothing is loaded again (a 2024
laureate still without a diploma gets one, if the kind is registered)."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Min, Sum
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from agreements.models import IN_FORCE, Agreement
from agreements.models import Status as AgreementStatus
from documents import registry as document_registry
from documents import services as document_services
from events.models import HoursRecord, HoursState
from institutions import permissions
from institutions.demo import DEMO_PASSWORD
from institutions.models import Institution, Unit
from volunteers import demo as volunteers_demo
from volunteers.models import Application, Volunteer

from . import services
from .models import CONFERENCE_NAME, AwardCycle, Criterion, JuryMember, Nomination, Score, ScoreSheet

SEED = 2033
ADMIN = ("balva@tilts.demo", "Laila", "Strautiņa")
# The jury: the chair first.
JURY = [
    ("zurija1@tilts.demo", "Inta", "Rozenberga"),
    ("zurija2@tilts.demo", "Mārcis", "Dreimanis"),
    ("zurija3@tilts.demo", "Sandra", "Vilciņa"),
]
SIGNATORY = ("Edgars Liepkalns", "Tieslietu ministrijas valsts sekretārs")
VENUES = {
    2020: "Tiešsaistē",
    2021: "Tiešsaistē",
    2022: "Latvijas Nacionālā bibliotēka, Rīga",
    2023: "Tieslietu ministrija, Rīga",
    2024: "Latvijas Nacionālā bibliotēka, Rīga",
}
CURRENT_VENUE = "Tieslietu ministrija, Rīga"
INTRODUCTION = (
    "Tieslietu ministrija aicina nominēt brīvprātīgos, kuri ar savu darbu ieslodzījuma vietās "
    "un Valsts probācijas dienestā palīdz cilvēkiem atgriezties sabiedrībā. Nominēt var ikviens "
    "— koordinatori, kolēģi, biedrības, tuvinieki un paši atbalstītie. Balvu pasniedz "
    "konferencē „{conference}”."
)
# What a volunteer does, by role (gender-neutral: "X kopš 2023. gada … Olaines cietumā").
DOING = {
    "education": "vada izglītojošas nodarbības un palīdz apgūt darba prasmes",
    "leisure": "vada brīvā laika nodarbības: galda spēles, grāmatu klubu un radošās darbnīcas",
    "sports": "vada sporta nodarbības un turnīrus",
    "addiction": "vada atkarību pārvarēšanas atbalsta grupu",
    "family": "vada nodarbības par ģimenes saitēm un palīdz uzturēt saikni ar bērniem",
    "social": "palīdz risināt sociālos jautājumus: dokumentus, mājokli un darbu pēc atbrīvošanas",
    "mentor": "darbojas līdzgaitnieku programmā un regulāri tiekas ar saviem atbalstāmajiem",
    "mediator": "vada izlīgumus starp cietušajiem un likumpārkāpējiem",
    "circles": "darbojas atbalsta un atbildīguma apļos",
}
COMMENTS = [
    "",
    "",
    "Spēcīgs pieteikums ar konkrētiem rezultātiem.",
    "Ilgstošs un regulārs ieguldījums.",
    "Pieteikumā pietrūkst ziņu par ietekmi uz atbalstītajiem.",
    "Iedvesmojošs piemērs citiem brīvprātīgajiem.",
    "",
]
CONFLICT_NOTE = "Vilni pazīstu personīgi — desmit gadus trenējām vienā futbola klubā."


@dataclass(frozen=True)
class Past:
    unit: str  # the unit's slug
    nominee: str
    justification: str
    # Through the public form: (name, organisation) of the nominator; None — the unit's coordinator.
    public: tuple[str, str] | None = None
    status: str = Nomination.Status.ELIGIBLE
    note: str = ""  # why not eligible, or why withdrawn
    citation: str = ""  # a laureate's
    consent: bool = True
    email: bool = True  # the nominator knew the nominee's email
    volunteer: bool = False  # 2024: a demo volunteer of the unit in 2024, when there is one


INELIGIBLE = Nomination.Status.INELIGIBLE
WITHDRAWN = Nomination.Status.WITHDRAWN

PAST = {
    2020: [
        Past(
            "olaines-cietums",
            "Aivars Zvirbulis",
            "Aivars jau sesto gadu katru otrdienu vada šaha pulciņu Olaines cietumā. Pandēmijas laikā, "
            "kad klātienes nodarbības tika pārtrauktas, viņš sagatavoja šaha uzdevumu krājumus un ar "
            "darbinieku starpniecību nodeva tos ieslodzītajiem, lai nodarbības turpinātos vismaz "
            "rakstiski. Vairāki pulciņa dalībnieki pēc atbrīvošanas turpina spēlēt šahu vietējā klubā.",
            citation="Par sešiem gadiem uzticīga darba šaha pulciņā un atjautību, ar kuru nodarbības "
            "turpinājās arī pandēmijas laikā.",
        ),
        Past(
            "vpd-rigas-regions",
            "Gunta Priede",
            "Gunta kā līdzgaitniece trīs gadus atbalsta probācijas klientes, kuras atgriežas sabiedrībā "
            "pēc ilga soda. Viņa palīdz kārtot dokumentus, meklēt darbu un mājokli, bet galvenais — viņa "
            "ir cilvēks, kuram var piezvanīt, kad ir grūti. Divas no viņas atbalstītajām sievietēm šogad "
            "atguvušas bērnu aizgādību.",
            public=("Mārīte Lāce", "Biedrība „Otrā iespēja”"),
            citation="Par sirsnīgu un neatlaidīgu atbalstu sievietēm, kuras pēc soda izciešanas sāk "
            "dzīvi no jauna.",
        ),
        Past(
            "vpd-kurzemes-regions",
            "Edvīns Kārkliņš",
            "Edvīns kopš 2016. gada ir brīvprātīgais starpnieks Kurzemes reģionā. Viņš vadījis vairāk "
            "nekā četrdesmit izlīgumus, no kuriem lielākā daļa noslēgusies ar vienošanos, un 2020. gadā "
            "vienīgais reģionā piekrita vadīt izlīgumus arī attālināti. Kolēģi novērtē viņa mierīgumu un "
            "spēju uzklausīt abas puses.",
        ),
        Past(
            "valmieras-cietums",
            "Ināra Dzene",
            "Ināra katru mēnesi organizē kopīgus dziedāšanas vakarus Valmieras cietumā un ar savu kori "
            "sagatavoja Ziemassvētku koncertu, kurā pirmo reizi piedalījās arī paši ieslodzītie. Viņa ir "
            "iedrošinājusi vairākus vīrus mācīties spēlēt ģitāru un pati sagādājusi instrumentus.",
            public=("Pēteris Auziņš", ""),
            email=False,
        ),
    ],
    2021: [
        Past(
            "daugavgrivas-cietums",
            "Rolands Sproģis",
            "Rolands ir bijušais ieslodzītais, kurš jau piecus gadus dzīvo brīvībā un kā brīvprātīgais "
            "vada atkarību pārvarēšanas atbalsta grupu Daugavgrīvas cietumā. Viņa stāsts ir pierādījums, "
            "ka pārmaiņas ir iespējamas, un grupas dalībnieki viņam uzticas tā, kā nespēj uzticēties "
            "darbiniekiem. Pēc atbrīvošanas viņš palīdz grupas dalībniekiem atrast vietu "
            "rehabilitācijas centrā.",
            public=("Kristaps Lūsis", ""),
            citation="Par drosmi dalīties savā pieredzē un atbalstu, kas palīdz citiem atbrīvoties no "
            "atkarības.",
            consent=False,
        ),
        Past(
            "jelgavas-cietums",
            "Solvita Mežule",
            "Solvita divus gadus vada latviešu valodas nodarbības Jelgavas cietumā ieslodzītajiem, kuri "
            "valodu neprot vai prot vāji. Viņa pati izstrādāja mācību materiālus, kas balstīti uz "
            "ikdienas situācijām — darba intervija, saruna ar ārstu, dokumentu aizpildīšana. Septiņi "
            "viņas audzēkņi šogad nokārtoja valsts valodas prasmes pārbaudi.",
            citation="Par pacietību un radošumu, mācot latviešu valodu, kas ieslodzītajiem paver ceļu "
            "uz darbu un izglītību.",
        ),
        Past(
            "vpd-latgales-regions",
            "Jevgēņijs Ivanovs",
            "Jevgēņijs brīvprātīgi palīdz probācijas klientiem Daugavpilī atrast darbu: viņš uzrunā "
            "pazīstamus uzņēmējus, palīdz sagatavot CV un pats aizved cilvēkus uz pirmo darba "
            "interviju. Pēdējā gada laikā ar viņa palīdzību darbu atraduši vismaz desmit klienti, un "
            "lielākā daļa no viņiem strādā joprojām.",
            public=("Olga Petrova", ""),
        ),
        Past(
            "ilguciema-cietums",
            "Daina Vanaga",
            "Daina ar lielu sirdi strādā ar sievietēm Iļģuciema cietumā: palīdz uzturēt saikni ar "
            "bērniem, organizē vecāku dienas un kopā ar sievietēm gatavo apsveikumus ģimenēm. Viņas "
            "darbs ir neatsverams, un daudzas sievietes viņu uzskata par savu lielāko atbalstu "
            "ieslodzījuma laikā.",
            public=("Sarmīte Ķuze", ""),
            status=INELIGIBLE,
            note="Nominētā persona ir Iļģuciema cietuma darbiniece (sociālā darbiniece); balva "
            "paredzēta brīvprātīgajiem.",
            email=False,
        ),
        Past(
            "vpd-zemgales-regions",
            "Normunds Birznieks",
            "Normunds ir viens no pieredzējušākajiem AAA apļu brīvprātīgajiem Zemgalē. Kopš 2018. gada "
            "viņš piedalījies piecos atbalsta un atbildīguma apļos, un neviens to dalībnieks nav "
            "izdarījis atkārtotu noziedzīgu nodarījumu. Viņš apmāca un iedrošina jaunos apļu "
            "brīvprātīgos.",
        ),
    ],
    2022: [
        Past(
            "olaines-cietums",
            "Kristaps Grava",
            "Kristaps ir programmētājs, kurš trīs gadus brīvprātīgi vada datorprasmju nodarbības "
            "Olaines cietumā. Ieslodzītie pie viņa apgūst darbu ar teksta redaktoru, e-pastu un valsts "
            "pakalpojumu portālu — prasmes, bez kurām pēc atbrīvošanas grūti atrast darbu. Viņš arī "
            "sagādāja ziedotus datorus cietuma mācību klasei.",
            citation="Par digitālajām prasmēm, ar kurām ieslodzītie sagatavojas dzīvei pēc atbrīvošanas.",
        ),
        Past(
            "cesu-audzinasanas-iestade",
            "Laima Strazdiņa",
            "Laima ir pensionēta skolotāja, kura katru nedēļu brauc uz Cēsu Audzināšanas iestādi "
            "nepilngadīgajiem, lai palīdzētu jauniešiem ar mājasdarbiem un lasīšanu. Viņa pamanīja, ka "
            "vairāki zēni gandrīz neprot lasīt, un gada laikā ar katru strādāja individuāli, līdz viņi "
            "paši izlasīja pirmo grāmatu.",
            public=("Edīte Roze", "Cēsu jauniešu centrs"),
            citation="Par mīlestību pret lasīšanu, ko viņa nodod jauniešiem, kuriem neviens to "
            "iepriekš nebija iemācījis.",
        ),
        Past(
            "vpd-jelgavas-1-nodala",
            "Artis Lejnieks",
            "Artis ir līdzgaitnieks Jelgavas 1. nodaļā un divus gadus atbalsta jaunus probācijas "
            "klientus, kuriem nav ģimenes atbalsta. Viņš tiekas ar klientiem katru nedēļu, kopā ar "
            "viņiem sporto un palīdz plānot budžetu. Probācijas darbinieki atzīmē, ka viņa klienti retāk "
            "pārkāpj uzraudzības nosacījumus.",
            citation="Par uzticību un regulāru atbalstu jauniešiem, kuriem līdzgaitnieks kļuvis par paraugu.",
        ),
        Past(
            "liepajas-cietums",
            "Vilnis Kalējs",
            "Vilnis jau desmit gadus organizē futbola treniņus un turnīrus Liepājas cietumā. Viņš "
            "uzskata, ka sports māca ievērot noteikumus un strādāt komandā, un viņa treniņos "
            "ieslodzītie iemācās zaudēt bez agresijas. Viņš arī sarunāja, ka vietējais futbola klubs "
            "pieņem trenēties bijušos ieslodzītos.",
            public=("Ilona Bite", "Liepājas brīvprātīgo centrs"),
        ),
        Past(
            "jekabpils-cietums",
            "Ēriks Circenis",
            "Ēriks ir mācītājs, kurš brīvprātīgi apmeklē Jēkabpils cietumu un vada sarunu grupas par "
            "piedošanu un atbildību. Daudzi ieslodzītie pie viņa nāk arī tad, ja nav ticīgi, jo viņš "
            "prot uzklausīt bez nosodījuma. Grupās ieslodzītie raksta vēstules cietušajiem — tās netiek "
            "nosūtītas, bet palīdz apzināties nodarīto.",
            public=("Agris Vējš", ""),
        ),
        Past(
            "vpd-vidzemes-regions",
            "Zanda Reine",
            "Zanda ir brīvprātīgā starpniece Vidzemes reģionā un šogad vadīja izlīgumus lietās, kurās "
            "cietušie bija nepilngadīgi. Viņa rūpīgi sagatavo katru tikšanos, sazinās ar bērnu vecākiem "
            "un psihologiem un panāk, lai izlīgums būtu drošs visām pusēm. No deviņiem viņas vadītajiem "
            "izlīgumiem septiņos panākta vienošanās.",
        ),
    ],
    2023: [
        Past(
            "rigas-centralcietums",
            "Juris Krastiņš",
            "Mans tēvs Juris jau četrus gadus katru sestdienu dodas uz Rīgas Centrālcietumu, lai vadītu "
            "grāmatu klubu. Viņš pats iegādājas grāmatas, sagatavo jautājumus un uzklausa katru "
            "dalībnieku. Viņš par to nekad nerunā, bet es zinu, cik daudz tas nozīmē gan viņam, gan "
            "klubam.",
            public=("Baiba Krastiņa", ""),
            status=WITHDRAWN,
            note="Nominētais nevēlas piedalīties konkursā; nominācija atsaukta pēc iesniedzējas lūguma.",
        ),
        Past(
            "jelgavas-cietums",
            "Anita Zeltiņa",
            "Anita ir mākslas terapeite, kura brīvprātīgi vada radošās darbnīcas Jelgavas cietumā. "
            "Nodarbībās ieslodzītie zīmē, veido keramiku un kolāžas un caur mākslu runā par to, par ko "
            "vārdos runāt ir grūti. Šogad viņa sarīkoja ieslodzīto darbu izstādi Jelgavas bibliotēkā, "
            "ko apmeklēja vairāk nekā 600 cilvēku.",
            citation="Par mākslu, kas ļauj runāt bez vārdiem, un izstādi, kas ieslodzīto darbus parādīja "
            "sabiedrībai.",
        ),
        Past(
            "vpd-rigas-regions",
            "Oskars Dambis",
            "Oskars kopš 2019. gada ir līdzgaitnieks Rīgas reģionā un strādā ar probācijas klientiem, "
            "kuriem ir atkarības problēmas. Viņš palīdz pierakstīties pie narkologa, pavada uz atbalsta "
            "grupām un ir blakus krīzes brīžos. Viņa klients pēc divu gadu sadarbības sāka strādāt un "
            "pats kļuva par atbalsta grupas vadītāju.",
        ),
        Past(
            "olaines-cietums",
            "Marta Kūle",
            "Marta, studējot sociālo darbu, pusgadu pavadīja Olaines cietumā, kur kopā ar ieslodzītajiem "
            "veidoja cietuma avīzi. Avīzē ieslodzītie rakstīja par savu ikdienu, sportu un nākotnes "
            "plāniem, un tā kļuva tik populāra, ka to sāka lasīt arī darbinieki.",
            public=("Dzintra Kūle", ""),
            status=INELIGIBLE,
            note="Darbs cietumā bija studiju prakse, par kuru piešķirti kredītpunkti, nevis brīvprātīgais "
            "darbs.",
            email=False,
        ),
        Past(
            "vpd-liepajas-nodala",
            "Dagnija Ruņģe",
            "Dagnija ir brīvprātīgā Liepājas nodaļā un trīs gadus piedalās atbalsta un atbildīguma "
            "apļos. Viņa ir tā, kura atceras dalībnieku dzimšanas dienas, atnes kūku un piezvana, ja kāds "
            "nav ieradies. Apļa dalībnieki saka, ka tieši viņas dēļ jūtas kā daļa no sabiedrības, nevis "
            "kā bīstami cilvēki.",
            public=("Elga Puriņa", "Biedrība „Liepājas kopiena”"),
        ),
        Past(
            "daugavgrivas-cietums",
            "Pāvels Smirnovs",
            "Pāvels divus gadus Daugavgrīvas cietumā vada sarunu klubu, kurā ieslodzītie mācās viens "
            "otra valodu — latviešu un krievu. Nodarbības mazina spriedzi starp dažādu valodu grupām, "
            "un administrācija novērojusi mazāk konfliktu nodaļā, kur klubs darbojas. Viņš nav izlaidis "
            "nevienu nodarbību.",
        ),
    ],
    2024: [
        Past(
            "jelgavas-cietums",
            "Ilmārs Pūce",
            "{name} kopš {since}. gada Jelgavas cietumā {doing}. Nodarbības notiek katru nedēļu, arī "
            "vasarā un svētku laikā, kad citi pasākumi nenotiek, un ir tik iecienītas, ka tām ir "
            "gaidītāju saraksts; "
            "vairāki dalībnieki arī pēc atbrīvošanas raksta vēstules un stāsta par saviem panākumiem. "
            "Administrācija atzīmē, ka nodarbību dienās nodaļā ir mierīgāk.",
            citation="Par neatlaidīgu iknedēļas darbu Jelgavas cietumā un nodarbībām, pēc kurām "
            "cilvēki turpina satikties arī brīvībā.",
            volunteer=True,
        ),
        Past(
            "olaines-cietums",
            "Signe Avotiņa",
            "{name} kopš {since}. gada Olaines cietumā {doing}. Tā nav vienreizēja akcija: nodarbības notiek "
            "regulāri, tās ir rūpīgi sagatavotas, un dalībnieki zina, ka uz tām var paļauties. Gada "
            "laikā izveidojusies pastāvīga grupa, un divi tās dalībnieki pēc atbrīvošanas paši "
            "iesaistījušies brīvprātīgajā darbā.",
            volunteer=True,
        ),
        Past(
            "vpd-rigas-regions",
            "Inguna Saulīte",
            "Inguna jau astoņus gadus ir līdzgaitniece Rīgas reģionā un šajā laikā atbalstījusi vairāk "
            "nekā divdesmit probācijas klientu. Viņa palīdz ne tikai ar darba meklēšanu un dokumentiem, "
            "bet arī ar attiecību atjaunošanu ģimenē. Viņas pieredzi izmanto, apmācot jaunos "
            "līdzgaitniekus.",
            public=("Rasma Kļava", "Biedrība „Atbalsts ģimenēm”"),
            citation="Par astoņiem gadiem līdzgaitnieces darbā un pieredzi, ko viņa nodod jaunajiem "
            "brīvprātīgajiem.",
        ),
        Past(
            "valmieras-cietums",
            "Aldis Zaļkalns",
            "Aldis ir galdnieks, kurš brīvprātīgi vada kokapstrādes darbnīcu Valmieras cietumā. "
            "Ieslodzītie darbnīcā izgatavo putnu būrīšus un soliņus, ko pēc tam dāvina bērnudārziem un "
            "pansionātiem. Daudziem tā ir pirmā reize, kad viņu darbs kādam sagādā prieku, un vairāki "
            "pēc atbrīvošanas sākuši strādāt kokapstrādē.",
            public=("Liene Gaiķe", ""),
        ),
        Past(
            "vpd-latgales-regions",
            "Natālija Kozlovska",
            "Natālija kā brīvprātīgā starpniece Latgales reģionā vada izlīgumus latviešu un krievu "
            "valodā. Viņa prot radīt mierīgu gaisotni pat tad, kad puses ierodas dusmīgas, un viņas "
            "vadītajos izlīgumos cietušie bieži saka, ka pirmo reizi jūtas uzklausīti. 2024. gadā viņa "
            "vadīja četrpadsmit izlīgumus.",
            public=("Irīna Vasiļjeva", ""),
        ),
        Past(
            "ilguciema-cietums",
            "Līna Pūpola",
            "Līna trīs gadus vada sieviešu atbalsta grupu Iļģuciema cietumā, kurā sievietes runā par "
            "vardarbību, ko pašas piedzīvojušas. Grupā viņas mācās atpazīt bīstamas attiecības un plānot "
            "drošu dzīvi pēc atbrīvošanas. Vairākas dalībnieces pēc atbrīvošanas turpina apmeklēt Līnas "
            "grupu krīzes centrā.",
            public=("Māris Pūpols", ""),
            status=INELIGIBLE,
            note="Nominētā persona Iļģuciema cietumā strādā kā psiholoģe uz pakalpojuma līguma pamata; "
            "balva paredzēta brīvprātīgajiem.",
            email=False,
        ),
        Past(
            "vpd-kurzemes-regions",
            "Gatis Rudzītis",
            "Gatis ir AAA apļu brīvprātīgais Kurzemes reģionā un vienlaikus vada lasīšanas nodarbības "
            "probācijas klientiem Kuldīgas bibliotēkā. Viņš ir pārliecināts, ka grāmatas palīdz saprast "
            "sevi, un ar viņa palīdzību vairāki klienti pirmo reizi pieteicās bibliotēkas lasītāja "
            "kartei un sāka apmeklēt pasākumus.",
            public=("Ieva Strode", "Kuldīgas bibliotēka"),
        ),
    ],
}
# The 2022 conflict of interest: (nominee, the jury member's index).
CONFLICT = (2022, "Vilnis Kalējs", 2)

# This year's public nominations: (unit slug, nominee — None: a volunteer of the unit —,
# nominator, organisation, justification).
PUBLIC_NOW = {
    "linked": (
        "rigas-centralcietums",
        ("Rita Jaunzeme", "Biedrība „Atvērtās durvis”"),
        "{name} kopš {since}. gada Rīgas Centrālcietumā {doing}. Esmu redzējusi, kā cilvēki, kuri sākumā "
        "neticēja nevienam, pēc dažiem mēnešiem paši gaida nākamo tikšanos. Šis darbs tiek "
        "darīts klusi, bez lieliem vārdiem, bet ar lielu atbildību — tāpēc tas ir pelnījis atzinību.",
    ),
    "ineligible": (
        "jekabpils-cietums",
        "Gunārs Liepa",
        ("Sandis Kauliņš", ""),
        "Gunārs ir Jēkabpils cietuma kapelāns, kurš dara daudz vairāk, nekā prasa viņa pienākumi: "
        "palīdz ieslodzītajiem uzrakstīt vēstules ģimenēm, aprunājas ar tuviniekiem un ārpus darba "
        "laika rīko koncertus. Daudzi vīri cietumā viņu uzskata par vienīgo cilvēku, kurš viņos "
        "saskata ko labu.",
        "Nominētā persona ir Jēkabpils cietuma darbinieks (kapelāns); balva paredzēta brīvprātīgajiem, "
        "nevis ieslodzījuma vietu darbiniekiem.",
    ),
    "waiting": (
        "vpd-liepajas-nodala",
        "Valda Ķirse",
        ("Ainārs Skuja", ""),
        "Valda jau trešo gadu ir līdzgaitniece Liepājā. Viņa palīdzēja manam dēlam pēc probācijas "
        "sākuma atrast darbu ostā, iemācīja plānot naudu un vienmēr atrada laiku sarunai, kad viņam gāja "
        "grūti. Šodien dēls strādā, atmaksā parādus un pats palīdz kaimiņiem. Bez Valdas tas nebūtu "
        "noticis.",
    ),
}
OLAINE_NOW = (
    "{name} kopš {since}. gada Olaines cietumā {doing}. Nodarbības notiek katru nedēļu, arī tad, kad "
    "cietumā ir karantīna vai remonts — tad tās vienkārši pārceļ uz citu telpu. Šogad dalībnieki "
    "paši sagatavoja noslēguma pasākumu, uz kuru uzaicināja arī savus tuviniekus, un tas bija viens "
    "no gada gaišākajiem brīžiem cietumā."
)
VPD_NOW = (
    "{name} kopš {since}. gada Jelgavas 1. nodaļā {doing}. Probācijas darbinieki atzīmē, ka sadarbība ir "
    "ļoti uzticama: tikšanās notiek tad, kad norunāts, pieraksti ir kārtībā, un klienti par to runā ar "
    "cieņu. Šogad atbalstu saņēma arī klienti, ar kuriem iepriekš nebija izdevies atrast kopīgu valodu."
)


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _email_of(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return ".".join(plain.split()) + "@" + volunteers_demo.DEMO_DOMAIN


def _fourth_thursday(year: int, month: int = 11) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _account(email: str, first_name: str, last_name: str):
    user, created = get_user_model().objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "language": "lv"}
    )
    if created or not user.has_usable_password():
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


class Demo:
    def __init__(self, today: date, rng: random.Random) -> None:
        self.today, self.rng, self.now = today, rng, timezone.now()
        self.admin = _account(*ADMIN)
        permissions.grant_award_administrator(self.admin)
        self.jurors = [_account(*person) for person in JURY]
        self.units = {u.slug: u for u in Unit.objects.select_related("institution")}
        self.coordinators = permissions.coordinators_by_unit([u.pk for u in self.units.values()])
        self.central = permissions.central_coordinators_by_institution(
            list(Institution.objects.values_list("pk", flat=True))
        )
        self.superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        self.taken: set[int] = set()
        self.linked: list[Nomination] = []

    def central_of(self, unit: Unit):
        return (self.central.get(unit.institution_id) or [self.superuser])[0]

    def coordinator_of(self, unit: Unit):
        return (self.coordinators.get(unit.pk) or [self.central_of(unit)])[0]

    # --- The demo volunteers to nominate

    def volunteer_at(self, slug: str, *, on: date | None = None, in_force: bool = False):
        """A demo volunteer who worked at the unit (on the day, or under an agreement in force
        today), not nominated yet by the demo: those still there today, then the earliest year,
        then the most approved hours. (volunteer, role code, since)."""
        unit = self.units.get(slug)
        if unit is None:
            return None
        rows = Agreement.objects.filter(
            unit=unit,
            status__in=[*IN_FORCE, AgreementStatus.ENDED],
            volunteer__anonymised_at=None,
            volunteer__user__email__endswith="@" + volunteers_demo.DEMO_DOMAIN,
        ).exclude(volunteer__in=self.taken)
        if on is not None:
            rows = rows.filter(start_date__lte=on, end_date__gte=on)
        if in_force:
            rows = rows.filter(status__in=IN_FORCE, start_date__lte=self.today)
        # Those still volunteering today first.
        current = set(
            Agreement.objects.filter(unit=unit, status__in=IN_FORCE).values_list("volunteer_id", flat=True)
        )
        rows = list(rows.select_related("volunteer__user", "role"))
        hours = dict(
            HoursRecord.objects.filter(
                unit=unit, state=HoursState.APPROVED, volunteer__in=[a.volunteer_id for a in rows]
            )
            .values("volunteer")
            .annotate(total=Sum("hours"))
            .values_list("volunteer", "total")
        )
        candidates = sorted(
            rows,
            key=lambda a: (
                a.volunteer_id not in current,
                a.start_date.year,
                -(hours.get(a.volunteer_id) or 0),
                a.start_date,
                a.pk,
            ),
        )
        if not candidates:
            return None
        agreement = candidates[0]
        since = Agreement.objects.filter(
            unit=unit, volunteer=agreement.volunteer, status__in=[*IN_FORCE, AgreementStatus.ENDED]
        ).aggregate(first=Min("start_date"))["first"]
        self.taken.add(agreement.volunteer_id)
        return agreement.volunteer, agreement.role.code, since

    # --- The past cycles

    def past_cycle(self, year: int, rows: list[Past]) -> AwardCycle:
        conference = _fourth_thursday(year)
        opens, closes = date(year, 9, 1), date(year, 10, 15)
        decided_at = _aware(date(year, 11, 5), 15, 30)
        announced_at = _aware(conference, 13, 0)
        created_at = _aware(date(year, 8, 18), 10, 0)
        chair = self.jurors[0]
        cycle = AwardCycle(
            year=year,
            conference_name=CONFERENCE_NAME,
            conference_date=conference,
            conference_place=VENUES.get(year, CURRENT_VENUE),
            nominations_open=opens,
            nominations_close=closes,
            introduction=INTRODUCTION.format(conference=CONFERENCE_NAME),
            signatory_name=SIGNATORY[0],
            signatory_title=SIGNATORY[1],
            status=AwardCycle.Status.ANNOUNCED,
            status_changed_at=announced_at,
            decided_by=chair,
            decided_at=decided_at,
            announced_at=announced_at,
            created_by=self.admin,
        )
        cycle._history_date = announced_at
        cycle.save()
        AwardCycle.objects.filter(pk=cycle.pk).update(created_at=created_at, updated_at=announced_at)
        criteria = Criterion.objects.bulk_create(
            Criterion(cycle=cycle, position=index, name=name, description=description, max_score=top)
            for index, (name, description, top) in enumerate(services.DEFAULT_CRITERIA, start=1)
        )
        Criterion.history.bulk_history_create(criteria)
        members = []
        for index, user in enumerate(self.jurors):
            member = JuryMember(cycle=cycle, user=user, is_chair=index == 0, added_by=self.admin)
            member._history_date = created_at + timedelta(days=2)
            member.save()
            members.append(member)
        JuryMember.objects.filter(cycle=cycle).update(
            added_at=created_at + timedelta(days=2, hours=1),
            invite_sent_at=created_at + timedelta(days=2, hours=1),
        )

        nominations = []
        span = (closes - opens).days
        for number, row in enumerate(rows, start=1):
            day = opens + timedelta(days=round(number * span / (len(rows) + 1)) + self.rng.randint(-2, 2))
            submitted = _aware(day, self.rng.randint(8, 21), self.rng.randint(0, 59))
            nominations.append(self.past_nomination(cycle, number, row, submitted, decided_at))
        self.scores(cycle, members, criteria, nominations, rows, closes, decided_at)
        # The laureates' emails went out when the cycle was announced.
        Nomination.objects.filter(cycle=cycle, is_laureate=True).update(
            notice_queued_at=announced_at,
            notice_claimed_at=announced_at + timedelta(seconds=20),
            notice_sent_at=announced_at + timedelta(seconds=30),
            notice_attempts=1,
        )
        return cycle

    def past_nomination(
        self, cycle: AwardCycle, number: int, row: Past, submitted: datetime, decided_at: datetime
    ) -> Nomination:
        unit = self.units[row.unit]
        nominee, volunteer, summary, language = row.nominee, None, {}, "lv"
        values = {
            "name": nominee.split()[0],
            "since": cycle.year - 2,
            "doing": "vada nodarbības ieslodzītajiem",
        }
        if row.volunteer:
            found = self.volunteer_at(row.unit, on=date(cycle.year, 9, 1))
            if found is not None:
                volunteer, role, since = found
                nominee = volunteer.user.get_full_name()
                summary = _summary(volunteer, unit.institution_id, submitted.date())
                language = volunteer.user.language or "lv"
                values = {
                    "name": volunteer.user.first_name,
                    "since": since.year,
                    "doing": DOING.get(role, DOING["leisure"]),
                }
        if row.public is None:
            staff = self.coordinator_of(unit)
            nominator = (staff.get_full_name() or staff.email, staff.email, unit.name)
            source = Nomination.Source.COORDINATOR
        else:
            staff = None
            nominator = (row.public[0], _email_of(row.public[0]), row.public[1])
            source = Nomination.Source.PUBLIC
        nominee_email = volunteer.user.email if volunteer else (_email_of(nominee) if row.email else "")
        checked = row.status in (Nomination.Status.ELIGIBLE, INELIGIBLE)
        checked_at = min(
            submitted + timedelta(days=self.rng.randint(2, 6), hours=2),
            _aware(cycle.nominations_close + timedelta(days=4), 16),
        )
        laureate = bool(row.citation)
        nomination = Nomination(
            cycle=cycle,
            number=number,
            source=source,
            status=row.status,
            institution=unit.institution,
            unit=unit,
            nominee_name=nominee,
            nominee_email=nominee_email,
            nominee_place=unit.name,
            volunteer=volunteer,
            summary=summary,
            nominator_name=nominator[0],
            nominator_email=nominator[1],
            nominator_organisation=nominator[2],
            nominated_by=staff,
            justification=row.justification.format(**values),
            language=language,
            checked_by=self.central_of(unit) if checked else None,
            checked_at=checked_at if checked else None,
            eligibility_note=row.note,
            is_laureate=laureate,
            citation=row.citation,
            confirmed_by=self.jurors[0] if laureate else None,
            confirmed_at=decided_at if laureate else None,
            public_consent=laureate and row.consent,
            consent_recorded_by=self.admin if laureate else None,
            consent_recorded_at=decided_at + timedelta(days=5, hours=-3) if laureate else None,
        )
        nomination._history_date = submitted
        nomination.save()
        Nomination.objects.filter(pk=nomination.pk).update(submitted_at=submitted)
        if volunteer is not None and laureate:
            self.linked.append(nomination)
        return nomination

    def scores(self, cycle, members, criteria, nominations, rows, closes, decided_at) -> None:
        """Every member's submitted sheet on every eligible nomination: the laureates score
        highest; the 2022 conflict is declared instead of scores."""
        sheets, scores, stamps = [], [], []
        for nomination, row in zip(nominations, rows, strict=True):
            if nomination.status != Nomination.Status.ELIGIBLE:
                continue
            level = self.rng.uniform(0.84, 0.95) if nomination.is_laureate else self.rng.uniform(0.5, 0.76)
            for index, member in enumerate(members):
                when = _aware(
                    closes + timedelta(days=self.rng.randint(6, (decided_at.date() - closes).days - 1)),
                    self.rng.randint(9, 21),
                    self.rng.randint(0, 59),
                )
                conflict = (cycle.year, row.nominee, index) == CONFLICT
                sheet = ScoreSheet(
                    nomination=nomination,
                    member=member,
                    conflict=conflict,
                    conflict_note=CONFLICT_NOTE if conflict else "",
                    comment="" if conflict else self.rng.choice(COMMENTS),
                    submitted_at=when,
                )
                sheets.append(sheet)
                stamps.append(when)
                if conflict:
                    continue
                for criterion in criteria:
                    value = round(criterion.max_score * (level + self.rng.uniform(-0.08, 0.08)))
                    scores.append((sheet, criterion, max(1, min(criterion.max_score, value))))
        ScoreSheet.objects.bulk_create(sheets)
        for sheet, when in zip(sheets, stamps, strict=True):
            ScoreSheet.objects.filter(pk=sheet.pk).update(
                created_at=when - timedelta(minutes=25), updated_at=when
            )
            sheet._history_date = when
        ScoreSheet.history.bulk_history_create(sheets)
        Score.objects.bulk_create(
            Score(sheet=sheet, criterion=criterion, value=value) for sheet, criterion, value in scores
        )

    # --- This year's cycle (through the services)

    def window(self) -> tuple[date, date, date]:
        opens, closes = date(self.today.year, 10, 15), date(self.today.year, 12, 31)
        if not opens <= self.today <= closes - timedelta(days=7):
            opens, closes = self.today - timedelta(days=45), self.today + timedelta(days=31)
        return opens, closes, closes + timedelta(days=29)

    def current_cycle(self) -> tuple[AwardCycle, list[Nomination]]:
        opens, closes, conference = self.window()
        cycle = services.cycle_create(
            actor=self.admin,
            details=services.CycleDetails(
                year=self.today.year,
                nominations_open=opens,
                nominations_close=closes,
                conference_name=CONFERENCE_NAME,
                conference_date=conference,
                conference_place=CURRENT_VENUE,
                introduction=INTRODUCTION.format(conference=CONFERENCE_NAME),
                signatory_name=SIGNATORY[0],
                signatory_title=SIGNATORY[1],
            ),
        )
        cycle = services.cycle_open(actor=self.admin, cycle=cycle)
        for index, user in enumerate(self.jurors):
            services.jury_member_add(actor=self.admin, cycle=cycle, email=user.email, is_chair=index == 0)
        created = _aware(opens - timedelta(days=12), 10)
        AwardCycle.objects.filter(pk=cycle.pk).update(created_at=created, status_changed_at=_aware(opens, 8))
        JuryMember.objects.filter(cycle=cycle).update(added_at=created + timedelta(days=1))

        ievp = self.units["olaines-cietums"].institution
        nominations: list[tuple[Nomination, datetime]] = []
        days = (self.today - opens).days

        def when(share: float) -> datetime:
            day = opens + timedelta(days=max(1, min(days - 1, round(days * share))))
            return _aware(day, self.rng.randint(9, 20), self.rng.randint(0, 59))

        # 1. Through the public form, for a volunteer of Rīgas Centrālcietums: linked and eligible.
        slug, (name, organisation), text = PUBLIC_NOW["linked"]
        found = self.volunteer_at(slug, in_force=True)
        if found is not None:
            volunteer, role, since = found
            nomination = services.nomination_submit_public(
                cycle=cycle,
                data=services.PublicNomination(
                    nominator_name=name,
                    nominator_email=_email_of(name),
                    nominator_organisation=organisation,
                    nominee_name=volunteer.user.get_full_name(),
                    nominee_email="",
                    institution=ievp,
                    unit=self.units[slug],
                    nominee_place="",
                    justification=text.format(
                        name=volunteer.user.first_name,
                        since=since.year,
                        doing=DOING.get(role, DOING["leisure"]),
                    ),
                ),
                today=self.today,
            )
            nominations.append((nomination, when(0.15)))
            checker = self.central_of(self.units[slug])
            services.nomination_link(actor=checker, nomination=nomination, volunteer=volunteer)
            services.nomination_check(actor=checker, nomination=nomination, eligible=True)
        # 2. Olaines cietums' coordinator, for a volunteer of the prison.
        olaine = self.units["olaines-cietums"]
        found = self.volunteer_at("olaines-cietums", in_force=True)
        if found is not None:
            volunteer, role, since = found
            nomination = services.nomination_create(
                actor=self.coordinator_of(olaine),
                cycle=cycle,
                volunteer=volunteer,
                unit=olaine,
                justification=OLAINE_NOW.format(
                    name=volunteer.user.first_name, doing=DOING.get(role, DOING["leisure"]), since=since.year
                ),
                today=self.today,
            )
            nominations.append((nomination, when(0.3)))
        # 3. Through the public form, for a prison's employee: not eligible.
        slug, nominee, (name, organisation), text, note = PUBLIC_NOW["ineligible"]
        nomination = services.nomination_submit_public(
            cycle=cycle,
            data=services.PublicNomination(
                nominator_name=name,
                nominator_email=_email_of(name),
                nominator_organisation=organisation,
                nominee_name=nominee,
                nominee_email="",
                institution=ievp,
                unit=self.units[slug],
                nominee_place="",
                justification=text,
            ),
            today=self.today,
        )
        nominations.append((nomination, when(0.45)))
        services.nomination_check(
            actor=self.central_of(self.units[slug]), nomination=nomination, eligible=False, note=note
        )
        # 4. Jelgavas 1. nodaļa's coordinator, for a volunteer of the department.
        department = self.units["vpd-jelgavas-1-nodala"]
        found = self.volunteer_at("vpd-jelgavas-1-nodala")
        if found is not None:
            volunteer, role, since = found
            nomination = services.nomination_create(
                actor=self.coordinator_of(department),
                cycle=cycle,
                volunteer=volunteer,
                unit=department,
                justification=VPD_NOW.format(
                    name=volunteer.user.first_name, doing=DOING.get(role, DOING["mentor"]), since=since.year
                ),
                today=self.today,
            )
            nominations.append((nomination, when(0.7)))
        # 5. Through the public form, from a probation client's parent: waiting for the check.
        slug, nominee, (name, organisation), text = PUBLIC_NOW["waiting"]
        unit = self.units[slug]
        nomination = services.nomination_submit_public(
            cycle=cycle,
            data=services.PublicNomination(
                nominator_name=name,
                nominator_email=_email_of(name),
                nominator_organisation=organisation,
                nominee_name=nominee,
                nominee_email=_email_of(nominee),
                institution=unit.institution,
                unit=unit,
                nominee_place="",
                justification=text,
            ),
            today=self.today,
        )
        nominations.append((nomination, when(0.9)))
        # Their days within the window (the services stamp them now).
        for nomination, submitted in nominations:
            rows = Nomination.objects.filter(pk=nomination.pk)
            rows.update(submitted_at=submitted)
            rows.filter(checked_at__isnull=False).update(
                checked_at=min(submitted + timedelta(days=3, hours=2), self.now)
            )
        return cycle, [n for n, _submitted in nominations]


def _summary(volunteer: Volunteer, institution_id: int, day: date) -> dict:
    """The volunteer's record as it was on the day (what ``selectors.volunteer_summary`` keeps
    with a nomination made that day)."""
    agreements = list(
        Agreement.objects.filter(
            volunteer=volunteer,
            unit__institution_id=institution_id,
            status__in=[*IN_FORCE, AgreementStatus.ENDED],
            start_date__lte=day,
        )
        .select_related("unit", "role")
        .order_by("start_date")
    )
    hours = (
        HoursRecord.objects.filter(
            volunteer=volunteer, unit__institution_id=institution_id, state=HoursState.APPROVED, day__lte=day
        ).aggregate(total=Sum("hours"))["total"]
        or 0
    )
    return {
        "units": sorted({a.unit.name for a in agreements}),
        "roles": sorted({str(a.role) for a in agreements}),
        "since": agreements[0].start_date.year if agreements else None,
        "until": max(a.end_date for a in agreements).year if agreements else None,
        "agreements": len(agreements),
        "hours": f"{hours:.1f}",
        "applied": Application.objects.filter(
            volunteer=volunteer, institution_id=institution_id, submitted_at__date__lte=day
        ).count(),
    }


def _diplomas(year: int) -> int:
    """The diplomas of the year's laureates that have none yet — once the kind is registered
    and its print template is there."""
    try:
        get_template(document_registry.get(services.DIPLOMA).template)
    except (LookupError, TemplateDoesNotExist):
        return 0
    issued = 0
    for nomination in Nomination.objects.filter(cycle__year=year, is_laureate=True).order_by("number"):
        if not nomination.documents.filter(kind=services.DIPLOMA, revoked_at__isnull=True).exists():
            document_services.document_issue(subject=nomination, kind=services.DIPLOMA)
            issued += 1
    return issued


def seed(*, stdout) -> None:
    if AwardCycle.objects.exists():
        issued = _diplomas(max(PAST))
        stdout.write(
            "Demo award is already loaded."
            + (f" {issued} diplomas issued for {max(PAST)}." if issued else "")
        )
        return
    if not Unit.objects.filter(institution__code=Institution.Code.TM).exists() or not all(
        Unit.objects.filter(slug=row.unit).exists() for rows in PAST.values() for row in rows
    ):
        stdout.write("Demo award: the institutions or their units are missing, nothing loaded.")
        return
    with translation.override(settings.LANGUAGE_CODE):
        demo = Demo(timezone.localdate(), random.Random(SEED))
        past = [demo.past_cycle(year, rows) for year, rows in PAST.items() if year < demo.today.year]
        for user in demo.jurors:
            permissions.grant_award_juror(user)
        current, nominations = demo.current_cycle()
        issued = _diplomas(max(PAST))

    laureates = Nomination.objects.filter(cycle__in=past, is_laureate=True)
    counts = Nomination.objects.filter(cycle=current).values_list("status", flat=True)
    waiting = sum(status == Nomination.Status.SUBMITTED for status in counts)
    years = f"{min(c.year for c in past)}–{max(c.year for c in past)}" if past else "none"
    stdout.write(
        f"Demo award: {ADMIN[0]} (award administrator), {JURY[0][0]} (jury chair), "
        + ", ".join(email for email, *_name in JURY[1:])
        + f" (jury); cycles {years} announced ({Nomination.objects.filter(cycle__in=past).count()} "
        f"nominations, {laureates.count()} laureates, {laureates.filter(public_consent=True).count()} "
        f"named publicly, {len(demo.linked)} linked to a demo volunteer, {issued} diplomas); "
        f"{current.year} open until {current.nominations_close:%d.%m.%Y} with {len(nominations)} "
        f"nominations ({sum(s == Nomination.Status.ELIGIBLE for s in counts)} eligible, "
        f"{sum(s == INELIGIBLE for s in counts)} not eligible, {waiting} waiting for the check)."
    )
