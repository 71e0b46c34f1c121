"""Words for generated data: fictional places, staff, pseudonyms and short notes.

Nothing here names a real person or a real municipality's citizen. Pseudonyms are words
a citizen might choose (CTI courses let citizens pick their own), made unique by a
number; free texts are short, neutral working notes of the kind the forms ask for.
"""

MUNICIPALITY_NAMES = (
    "Nordby", "Sønderå", "Østervig", "Vesterhede", "Midtlund", "Havnsø", "Skovby", "Engbæk", "Bakkely",
    "Fjordholm", "Klintvig", "Lyngså", "Mosebjerg", "Strandlev", "Agerlund", "Bøgely", "Dalmose", "Egholm",
    "Grenbæk", "Hedelund", "Kærby", "Løvstrup", "Møllerup", "Næsby",
)

FIRST_NAMES = (
    "Anne", "Mette", "Hanne", "Susanne", "Camilla", "Louise", "Maria", "Sofie", "Line", "Nanna", "Ida", "Julie",
    "Peter", "Jens", "Lars", "Mads", "Rasmus", "Jonas", "Mikkel", "Søren", "Thomas", "Ali", "Fatima", "Sara",
)
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Johansen", "Møller",
)

PSEUDONYM_WORDS = (
    "Solsikke", "Havørn", "Måge", "Lærke", "Birk", "Ræv", "Ask", "Stjerne", "Bølge", "Æble", "Hyld", "Pil", "Eg",
    "Rose", "Lilje", "Valmue", "Kløver", "Mos", "Sten", "Flod", "Sky", "Måne", "Sol", "Regn", "Storm", "Vind",
    "Svale", "Ugle", "Hjort", "Odder", "Sæl", "Delfin", "Ravn", "Spurv", "Glente", "Hejre", "Kirsebær", "Blomme",
    "Hassel", "Lind", "Gran", "Fyr", "Tjørn", "Lyng", "Siv", "Rav", "Perle", "Koral", "Nord", "Morgen", "Aften",
)

IDENTITY_NOTES = (
    "Foretrækker sms frem for opkald.",
    "Træffes bedst om formiddagen.",
    "Vil ikke kontaktes på arbejdspladsen.",
    "Har hemmeligt nummer; skriv kun via sikker mail.",
    "Bruger et andet navn over for familien.",
)

CONTACT_NOTES = (
    "Kaffe på caféen; god snak om ugen.",
    "Fulgtes til lægen.",
    "Aflyste selv; ny aftale på torsdag.",
    "Gennemgik breve fra kommunen sammen.",
    "Kort opkald om mødet i jobcentret.",
    "Mødte ikke op; sendt sms.",
    "Gik en tur; hun var mere rolig i dag.",
)

PLAN_NOTES = (
    "Planen holder; boligdelen går godt.",
    "Økonomien halter; ny aftale med rådgiver.",
    "Borgeren ønsker at fokusere på helbredet først.",
    "Aktiviteten om netværk udskydes til næste fase.",
    "Alle aftaler overholdt siden sidst.",
)

GOALS = {
    "economy": ("Styr på regningerne", "Afdrage på gælden", "Få et budget der holder"),
    "housing": ("Have min egen lejlighed", "Beholde min bolig", "Komme på venteliste til en bolig"),
    "network": ("Se min søster igen", "Få nye venner uden for miljøet", "Komme med i en gruppe"),
    "daily": ("Have noget at stå op til", "Komme ud hver dag", "Faste måltider"),
    "physical": ("Få tjekket mit helbred", "Sove bedre", "Få ordnet mine tænder"),
    "mental": ("Få det bedre med mig selv", "Tale med en psykolog", "Færre angstanfald"),
    "substance": ("Drikke mindre", "Komme i behandling", "Holde mig fra stofferne"),
    "work": ("Begynde på et kursus", "Få et fritidsjob", "Tage 9. klasses prøve"),
}

ACTIVITIES = {
    "economy": ("Møde med økonomisk rådgiver", "Lave budget sammen", "Ansøge om gældssanering"),
    "housing": ("Møde med boligkontoret", "Skrive op til bolig", "Besøg af bostøtten"),
    "network": ("Ringe til familien", "Prøve en aktivitet i foreningen", "Netværksmøde"),
    "daily": ("Finde en fast aktivitet", "Gå i værestedet to gange om ugen", "Lave en ugeplan"),
    "physical": ("Tid hos lægen", "Tandlægebesøg", "Følges til hospitalet"),
    "mental": ("Første samtale hos psykolog", "Henvisning fra egen læge", "Samtalegruppe"),
    "substance": ("Møde i misbrugscentret", "Aftale om behandling", "Opfølgning hos lægen"),
    "work": ("Møde i jobcentret", "Besøg på sprogskolen", "Praktik aftales"),
}

NETWORK_NAMES = {
    "ngo": ("Reden", "Værestedet", "Netværksgruppen"),
    "jobcenter": ("Jobcentrets kontaktperson", "Virksomhedskonsulenten"),
    "psychologist": ("Psykologen", "Distriktspsykiatrien"),
    "doctor": ("Egen læge", "Sygeplejersken på klinikken"),
    "treatment": ("Misbrugscentret", "Behandleren"),
    "housing": ("Bostøtten", "Boligsocial medarbejder"),
    "caseworker": ("Sagsbehandleren", "Rådgiveren i kommunen"),
    "education": ("Studievejlederen", "VUC"),
    "private": ("Mor", "Søster", "En veninde", "Kæresten", "Bror"),
    "other": ("Mentor", "Præsten", "Træneren"),
}

TAKES_OVER = (
    "Besøg hver uge",
    "Gruppemøder hver anden torsdag",
    "Fast kontaktperson efter forløbet",
    "Hjælp med post og økonomi",
    "Følger med til lægen",
)
