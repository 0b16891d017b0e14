"""Fixed material for the demo organisation: names, offices, departments and titles.

Nothing here is random; ``alongside.demo.build`` draws from it with a seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass

ORGANISATION_NAME = "Kestrel Technologies"
ORGANISATION_SLUG = "kestrel"
ORGANISATION_TIME_ZONE = "Asia/Kolkata"
EMAIL_DOMAIN = "kestrel.example"
EMPLOYEE_ID_FORMAT = "KT-{:05d}"
SEED = 2026
DEMO_PASSWORD = "alongside-demo"
LOGIN_URL = "http://127.0.0.1:8000/accounts/login/"
ADMIN_URL = "http://127.0.0.1:8000/admin/"

# The company is about eight years old; the CEO joined on day one.
COMPANY_AGE_DAYS = 8 * 365
RECENT_JOINER_DAYS = 180

LEVELS = (
    "L1 Associate",
    "L2 Senior",
    "L3 Lead",
    "L4 Manager",
    "L5 Director",
    "L6 Executive",
)


def level_name(rank: int) -> str:
    """``1`` → ``"L1 Associate"``."""
    return LEVELS[rank - 1]


# --- Names ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamePool:
    """Given and family names from one region or community, with the languages that
    usually come with them (besides English, which almost everyone has)."""

    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    languages: tuple[str, ...] = ()
    # Other languages people from this pool often speak, with how often.
    extra_languages: tuple[tuple[str, float], ...] = ()
    # Written "Tan Wei Ming": family name first.
    family_first: bool = False


# fmt: off
NAME_POOLS: dict[str, NamePool] = {
    "hindi": NamePool(
        female=(
            "Aditi", "Ananya", "Anjali", "Ishita", "Kavya", "Neha", "Pooja", "Priyanka",
            "Ritika", "Shreya", "Sakshi", "Tanvi", "Nidhi", "Swati", "Aishwarya", "Divya",
            "Garima", "Pallavi", "Shruti", "Megha", "Richa", "Vandana", "Ankita", "Jyoti",
        ),
        male=(
            "Aakash", "Abhishek", "Aman", "Ankit", "Arjun", "Ashish", "Deepak", "Gaurav",
            "Harsh", "Kunal", "Manish", "Mohit", "Nitin", "Pankaj", "Rahul", "Rajat",
            "Rohit", "Sandeep", "Saurabh", "Siddharth", "Varun", "Vikas", "Vivek", "Yash",
        ),
        family=(
            "Sharma", "Verma", "Gupta", "Agarwal", "Mishra", "Tiwari", "Pandey", "Srivastava",
            "Saxena", "Chauhan", "Yadav", "Singh", "Tripathi", "Dubey", "Rastogi", "Bansal",
            "Goel", "Mittal", "Jain", "Kapoor", "Malhotra", "Khanna",
        ),
        languages=("Hindi",),
    ),
    "punjabi": NamePool(
        female=("Simran", "Harpreet", "Jasleen", "Manpreet", "Navneet", "Gurleen", "Ravneet"),
        male=("Gurpreet", "Harjot", "Jaspreet", "Manjot", "Navdeep", "Amandeep", "Karan"),
        family=("Gill", "Sandhu", "Dhillon", "Grewal", "Sidhu", "Bedi", "Ahluwalia", "Arora"),
        languages=("Punjabi",),
        extra_languages=(("Hindi", 0.9),),
    ),
    "gujarati": NamePool(
        female=("Krupa", "Hetal", "Jinal", "Riddhi", "Dhara", "Khushbu", "Nisha"),
        male=("Hardik", "Dhruv", "Nirav", "Parth", "Chirag", "Jignesh", "Kunal"),
        family=("Patel", "Shah", "Mehta", "Desai", "Trivedi", "Joshi", "Parikh", "Modi"),
        languages=("Gujarati",),
        extra_languages=(("Hindi", 0.85),),
    ),
    "marathi": NamePool(
        female=(
            "Aarti", "Snehal", "Prajakta", "Sayali", "Rutuja", "Ketaki", "Gauri", "Mrunal",
            "Shivani", "Ashwini", "Madhura", "Sonali", "Pradnya", "Tejaswini",
        ),
        male=(
            "Aditya", "Omkar", "Sagar", "Tejas", "Pranav", "Shubham", "Nikhil", "Akshay",
            "Ninad", "Chinmay", "Ajinkya", "Swapnil", "Amol", "Rohan", "Mandar",
        ),
        family=(
            "Deshpande", "Joshi", "Patil", "Kulkarni", "Deshmukh", "Gokhale", "Pawar", "Jadhav",
            "Shinde", "Kale", "Bhosale", "Apte", "Phadke", "Karandikar", "Sawant", "Gaikwad",
        ),
        languages=("Marathi",),
        extra_languages=(("Hindi", 0.85),),
    ),
    "kannada": NamePool(
        female=(
            "Chaitra", "Sahana", "Rakshitha", "Pavithra", "Deepa", "Keerthana", "Spoorthi",
            "Ramya", "Bhavya", "Shilpa", "Sinchana", "Anusha", "Veena", "Shwetha",
        ),
        male=(
            "Manjunath", "Raghavendra", "Shreyas", "Prajwal", "Girish", "Sudeep", "Darshan",
            "Vinay", "Praveen", "Karthik", "Chethan", "Naveen", "Harish", "Suhas", "Pradeep",
        ),
        family=(
            "Gowda", "Hegde", "Shetty", "Rao", "Bhat", "Kamath", "Nayak", "Shenoy", "Acharya",
            "Kulkarni", "Murthy", "Prasad", "Swamy", "Aithal", "Karanth",
        ),
        languages=("Kannada",),
        extra_languages=(("Hindi", 0.4), ("Tulu", 0.08)),
    ),
    "telugu": NamePool(
        female=(
            "Harika", "Sravani", "Lavanya", "Mounika", "Sirisha", "Swathi", "Sowmya", "Bhavana",
            "Deepthi", "Sindhu", "Prathyusha", "Nandini", "Keerthi", "Sushma",
        ),
        male=(
            "Srinivas", "Venkatesh", "Ravi Teja", "Sai Kiran", "Naveen", "Bhargav", "Phani",
            "Chaitanya", "Pavan", "Srikanth", "Mahesh", "Vamsi", "Anil", "Krishna", "Sandeep",
        ),
        family=(
            "Reddy", "Naidu", "Rao", "Varma", "Chowdary", "Raju", "Kommineni", "Gummadi",
            "Vemula", "Bandi", "Talluri", "Yerramsetti", "Koneru", "Pothineni", "Nallamothu",
        ),
        languages=("Telugu",),
        extra_languages=(("Hindi", 0.55),),
    ),
    "tamil": NamePool(
        female=(
            "Priya", "Divya", "Lakshmi", "Meenakshi", "Harini", "Gayathri", "Janani", "Nithya",
            "Kavitha", "Sangeetha", "Aarthi", "Vaishnavi", "Revathi", "Dharini",
        ),
        male=(
            "Karthik", "Vignesh", "Arun", "Senthil", "Surya", "Balaji", "Ashwin", "Prakash",
            "Ganesh", "Hari", "Dinesh", "Aravind", "Saravanan", "Ramesh", "Vijay",
        ),
        family=(
            "Subramanian", "Krishnan", "Ramasamy", "Venkataraman", "Natarajan", "Iyer", "Raman",
            "Sundaram", "Murugan", "Chandrasekaran", "Rajendran", "Srinivasan", "Balasubramanian",
            "Iyengar", "Anand",
        ),
        languages=("Tamil",),
        extra_languages=(("Hindi", 0.3),),
    ),
    "malayalam": NamePool(
        female=(
            "Aswathy", "Anjali", "Reshma", "Sreeja", "Neethu", "Sreelakshmi", "Athira", "Gopika",
            "Nimisha", "Parvathy", "Divya", "Amritha",
        ),
        male=(
            "Anand", "Vishnu", "Arjun", "Nikhil", "Jithin", "Akhil", "Sreejith", "Rahul", "Midhun",
            "Abhilash", "Sanjay", "Gokul",
        ),
        family=(
            "Nair", "Menon", "Pillai", "Kurup", "Panicker", "Warrier", "Namboothiri", "Nambiar",
            "Unnikrishnan", "Kartha",
        ),
        languages=("Malayalam",),
        extra_languages=(("Hindi", 0.4), ("Tamil", 0.1)),
    ),
    "syrian_christian": NamePool(
        female=("Ann", "Merin", "Teena", "Jincy", "Sneha", "Rinu", "Liya", "Elizabeth"),
        male=("Jacob", "Tom", "Jobin", "Abin", "Sebastian", "Joel", "Alen", "Mathew"),
        family=("Kurian", "Varghese", "Thomas", "Joseph", "Mathew", "Abraham", "Chacko", "George"),
        languages=("Malayalam",),
        extra_languages=(("Hindi", 0.35),),
    ),
    "bengali": NamePool(
        female=(
            "Ananya", "Riya", "Moumita", "Indrani", "Paromita", "Sreya", "Debolina", "Tanushree",
            "Rupsa", "Sohini", "Madhurima",
        ),
        male=(
            "Arnab", "Sourav", "Debashish", "Sayan", "Tanmoy", "Abhijit", "Anirban", "Subhajit",
            "Rajarshi", "Indranil", "Sumit", "Pritam",
        ),
        family=(
            "Banerjee", "Chatterjee", "Mukherjee", "Das", "Ghosh", "Sen", "Bose", "Dutta", "Roy",
            "Chakraborty", "Bhattacharya", "Majumdar", "Sengupta", "Basu", "Mitra",
        ),
        languages=("Bengali",),
        extra_languages=(("Hindi", 0.75),),
    ),
    "urdu": NamePool(
        female=("Ayesha", "Sana", "Zoya", "Nazia", "Rukhsar", "Fatima", "Heena", "Saba", "Mehreen"),
        male=(
            "Imran", "Farhan", "Arshad", "Faizan", "Mohammed", "Sameer", "Adil", "Zaid", "Tariq",
            "Irfan",
        ),
        family=("Khan", "Ahmed", "Siddiqui", "Qureshi", "Ansari", "Shaikh", "Hussain", "Syed"),
        languages=("Urdu",),
        extra_languages=(("Hindi", 0.95),),
    ),
    "konkani": NamePool(
        female=("Sharon", "Clara", "Melissa", "Shirley", "Joanne", "Rhea", "Fiona"),
        male=("Joel", "Clive", "Wilson", "Ryan", "Anthony", "Glen", "Savio"),
        family=("D'Souza", "Fernandes", "Pereira", "D'Costa", "Rodrigues", "Pinto", "Lobo"),
        languages=("Konkani",),
        extra_languages=(("Hindi", 0.7), ("Kannada", 0.2)),
    ),
    "british": NamePool(
        female=(
            "Amelia", "Charlotte", "Sophie", "Emily", "Olivia", "Hannah", "Lucy", "Grace",
            "Eleanor", "Isabel", "Jessica", "Rebecca", "Harriet", "Rosie", "Zoë",
        ),
        male=(
            "Oliver", "Harry", "George", "Jack", "James", "Thomas", "William", "Samuel", "Daniel",
            "Joseph", "Alfie", "Edward", "Callum", "Matthew",
        ),
        family=(
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Roberts", "Walker",
            "Wright", "Hughes", "Clarke", "Hall", "Turner", "Morgan", "Bennett", "Cooper",
        ),
        extra_languages=(("French", 0.12), ("Spanish", 0.08), ("German", 0.05)),
    ),
    "british_gujarati": NamePool(
        female=("Priya", "Anisha", "Reena", "Hema", "Nisha"),
        male=("Nikesh", "Dev", "Sunil", "Hitesh", "Raj"),
        family=("Patel", "Mistry", "Lakhani", "Shah", "Chauhan"),
        extra_languages=(("Gujarati", 0.45),),
    ),
    "british_punjabi": NamePool(
        female=("Jasmin", "Harpreet", "Kiran", "Simran"),
        male=("Jaswinder", "Ravi", "Gurdeep", "Sukhdev"),
        family=("Sandhu", "Gill", "Bains", "Johal"),
        extra_languages=(("Punjabi", 0.5),),
    ),
    "british_muslim": NamePool(
        female=("Nadia", "Shabana", "Yasmin", "Aisha", "Hafsa"),
        male=("Amir", "Imran", "Bilal", "Hamza", "Zain"),
        family=("Ali", "Chaudhry", "Rahman", "Hussain", "Akhtar", "Mahmood"),
        extra_languages=(("Urdu", 0.4), ("Bengali", 0.15)),
    ),
    "irish": NamePool(
        female=("Aoife", "Niamh", "Siobhán", "Ciara", "Orla"),
        male=("Ciarán", "Aidan", "Conor", "Seán", "Declan"),
        family=("Murphy", "O'Brien", "Kelly", "Byrne", "Walsh", "O'Connor"),
        extra_languages=(("Irish", 0.15),),
    ),
    "french": NamePool(
        female=("Camille", "Léa", "Chloé", "Manon"),
        male=("Julien", "Théo", "Antoine", "Hugo"),
        family=("Dubois", "Martin", "Lefèvre", "Moreau", "Girard"),
        languages=("French",),
    ),
    "spanish": NamePool(
        female=("Lucía", "Marta", "Paula", "Elena"),
        male=("Mateo", "Javier", "Álvaro", "Pablo"),
        family=("García", "Fernández", "López", "Martínez", "Navarro"),
        languages=("Spanish",),
    ),
    "italian": NamePool(
        female=("Giulia", "Chiara", "Francesca", "Sara"),
        male=("Luca", "Marco", "Matteo", "Alessandro"),
        family=("Rossi", "Bianchi", "Romano", "Esposito", "Ricci"),
        languages=("Italian",),
    ),
    "portuguese": NamePool(
        female=("Inês", "Beatriz", "Mariana"),
        male=("Tomás", "João", "Rodrigo"),
        family=("Silva", "Costa", "Ferreira", "Santos"),
        languages=("Portuguese",),
    ),
    "nigerian": NamePool(
        female=("Folake", "Adaeze", "Funmilayo", "Chiamaka", "Temitope"),
        male=("Tunde", "Oluwaseun", "Chinedu", "Emeka", "Babajide"),
        family=("Adebayo", "Okafor", "Ogunleye", "Eze", "Balogun", "Nwosu"),
        extra_languages=(("Yoruba", 0.3), ("Igbo", 0.2)),
    ),
    "american": NamePool(
        female=("Emma", "Madison", "Ashley", "Lauren", "Megan", "Hannah", "Sarah"),
        male=("Ethan", "Tyler", "Ryan", "Brandon", "Kevin", "Josh", "Michael"),
        family=("Miller", "Johnson", "Anderson", "Davis", "Moore", "Jackson", "Harris"),
        extra_languages=(("Spanish", 0.15),),
    ),
    "hispanic_american": NamePool(
        female=("María", "Valeria", "Gabriela", "Daniela", "Camila"),
        male=("Diego", "Alejandro", "Carlos", "Javier", "Andrés"),
        family=("Gonzalez", "Hernández", "Ramírez", "Torres", "Flores", "Morales"),
        languages=("Spanish",),
    ),
    "east_asian_american": NamePool(
        female=("Jessica", "Michelle", "Grace", "Christine", "Emily"),
        male=("Kevin", "Daniel", "Andrew", "Brian", "Eric"),
        family=("Nguyen", "Kim", "Chen", "Park", "Wong", "Tran", "Liu"),
    ),
    "indian_american": NamePool(
        female=("Kavya", "Anjali", "Priya", "Divya", "Shreya"),
        male=("Rohan", "Nikhil", "Arjun", "Vikram", "Sanjay"),
        family=("Iyer", "Reddy", "Shah", "Patel", "Rao", "Venkatesan"),
        extra_languages=(("Hindi", 0.35), ("Telugu", 0.15), ("Tamil", 0.15)),
    ),
    "singapore_chinese": NamePool(
        female=("Jia Hui", "Hui Min", "Xin Yi", "Li Ting", "Shu Fen"),
        male=("Wei Ming", "Jun Jie", "Zhi Hao", "Kai Wen", "Wei Jie"),
        family=("Tan", "Lim", "Lee", "Ng", "Ong", "Goh", "Chua"),
        languages=("Mandarin",),
        extra_languages=(("Hokkien", 0.25), ("Malay", 0.1)),
        family_first=True,
    ),
    "singapore_malay": NamePool(
        female=("Nur Aisyah", "Siti Nurhaliza", "Farah", "Nurul Huda"),
        male=("Muhammad Hafiz", "Ahmad Faris", "Irfan", "Hakim"),
        family=("Rahman", "Ismail", "Hassan", "Osman", "Salleh"),
        languages=("Malay",),
    ),
    "singapore_indian": NamePool(
        female=("Kavitha", "Shalini", "Deepa", "Vasanthi"),
        male=("Rajesh", "Suresh", "Kumaran", "Vijayan"),
        family=("Pillai", "Krishnan", "Rajan", "Nair", "Subramaniam"),
        languages=("Tamil",),
        extra_languages=(("Malay", 0.3),),
    ),
}

# fmt: on

# A few people write their name in their own script; the directory must show it as is.
# (name as written, given name in Latin script, family name in Latin script, pool)
NATIVE_SCRIPT_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("अनिता शर्मा", "Anita", "Sharma", "hindi"),
    ("सायली देशपांडे", "Sayali", "Deshpande", "marathi"),
    ("கார்த்திக் சுப்பிரமணியன்", "Karthik", "Subramanian", "tamil"),
    ("ಮಂಜುನಾಥ್ ಗೌಡ", "Manjunath", "Gowda", "kannada"),
    ("శ్రీనివాస్ రెడ్డి", "Srinivas", "Reddy", "telugu"),
    ("অর্ণব ঘোষ", "Arnab", "Ghosh", "bengali"),
    ("അഞ്ജലി നായർ", "Anjali", "Nair", "malayalam"),
)

# Share of women among new people; a little below parity, as in many Indian tech firms.
FEMALE_SHARE = 0.42


# --- Offices --------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    location: str
    time_zones: tuple[tuple[str, float], ...]
    # Where the people sitting here come from, as name pools with weights.
    pools: tuple[tuple[str, float], ...]
    # The local language that people who moved here often pick up.
    local_language: str = ""
    local_language_share: float = 0.0


INDIAN_OFFICES = ("Bengaluru", "Pune", "Hyderabad")
LONDON = "London"
REMOTE_US = "Remote (United States)"
REMOTE_SINGAPORE = "Remote (Singapore)"

# fmt: off
OFFICES: dict[str, Office] = {
    "Bengaluru": Office(
        "Bengaluru",
        (("Asia/Kolkata", 1.0),),
        (
            ("kannada", 30), ("tamil", 14), ("telugu", 12), ("malayalam", 9),
            ("syrian_christian", 3), ("hindi", 14), ("bengali", 5), ("marathi", 3),
            ("urdu", 4), ("konkani", 3), ("gujarati", 1), ("punjabi", 2),
        ),
        local_language="Kannada",
        local_language_share=0.2,
    ),
    "Pune": Office(
        "Pune",
        (("Asia/Kolkata", 1.0),),
        (
            ("marathi", 45), ("hindi", 18), ("gujarati", 7), ("punjabi", 5), ("bengali", 5),
            ("urdu", 6), ("konkani", 5), ("kannada", 4), ("tamil", 2), ("malayalam", 3),
        ),
        local_language="Marathi",
        local_language_share=0.3,
    ),
    "Hyderabad": Office(
        "Hyderabad",
        (("Asia/Kolkata", 1.0),),
        (
            ("telugu", 50), ("urdu", 12), ("hindi", 12), ("tamil", 6), ("kannada", 4),
            ("bengali", 5), ("malayalam", 4), ("syrian_christian", 2), ("marathi", 3),
            ("punjabi", 2),
        ),
        local_language="Telugu",
        local_language_share=0.3,
    ),
    LONDON: Office(
        LONDON,
        (("Europe/London", 1.0),),
        (
            ("british", 50), ("british_gujarati", 8), ("british_punjabi", 6),
            ("british_muslim", 8), ("irish", 8), ("french", 5), ("spanish", 5),
            ("italian", 4), ("portuguese", 2), ("nigerian", 6),
        ),
    ),
    REMOTE_US: Office(
        REMOTE_US,
        (("America/Los_Angeles", 0.6), ("America/New_York", 0.4)),
        (
            ("american", 45), ("hispanic_american", 20), ("east_asian_american", 15),
            ("indian_american", 20),
        ),
    ),
    REMOTE_SINGAPORE: Office(
        REMOTE_SINGAPORE,
        (("Asia/Singapore", 1.0),),
        (("singapore_chinese", 60), ("singapore_malay", 20), ("singapore_indian", 20)),
    ),
}

# fmt: on


def mostly(city: str, share: float = 0.75) -> tuple[tuple[str, float], ...]:
    """A team that sits mostly in ``city``, with colleagues in the other Indian offices."""
    others = [office for office in INDIAN_OFFICES if office != city]
    rest = (1 - share) / len(others)
    return ((city, share), *((office, rest) for office in others))


# --- Departments ----------------------------------------------------------------------

# track → (L1 title, L2 title, L3 title, manager title)
TRACKS: dict[str, tuple[str, str, str, str]] = {
    "software": (
        "Software Engineer",
        "Senior Software Engineer",
        "Lead Software Engineer",
        "Engineering Manager",
    ),
    "mobile": (
        "Mobile Engineer",
        "Senior Mobile Engineer",
        "Lead Mobile Engineer",
        "Engineering Manager",
    ),
    "sre": (
        "Site Reliability Engineer",
        "Senior Site Reliability Engineer",
        "Lead Site Reliability Engineer",
        "Engineering Manager",
    ),
    "security": (
        "Security Engineer",
        "Senior Security Engineer",
        "Lead Security Engineer",
        "Security Engineering Manager",
    ),
    "data_engineering": (
        "Data Engineer",
        "Senior Data Engineer",
        "Lead Data Engineer",
        "Data Engineering Manager",
    ),
    "analytics": ("Data Analyst", "Senior Data Analyst", "Lead Data Analyst", "Analytics Manager"),
    "machine_learning": (
        "Machine Learning Engineer",
        "Senior Machine Learning Engineer",
        "Lead Machine Learning Engineer",
        "Engineering Manager",
    ),
    "quality": ("QA Engineer", "Senior QA Engineer", "QA Lead", "Quality Engineering Manager"),
    "product_management": (
        "Associate Product Manager",
        "Product Manager",
        "Senior Product Manager",
        "Group Product Manager",
    ),
    "design": (
        "Product Designer",
        "Senior Product Designer",
        "Lead Product Designer",
        "Design Manager",
    ),
    "research": (
        "UX Researcher",
        "Senior UX Researcher",
        "Lead UX Researcher",
        "UX Research Manager",
    ),
    "account_executive": (
        "Account Executive",
        "Senior Account Executive",
        "Principal Account Executive",
        "Sales Manager",
    ),
    "sales_development": (
        "Sales Development Representative",
        "Senior Sales Development Representative",
        "Sales Development Lead",
        "Sales Development Manager",
    ),
    "solutions": (
        "Solutions Engineer",
        "Senior Solutions Engineer",
        "Lead Solutions Engineer",
        "Solutions Engineering Manager",
    ),
    "customer_success": (
        "Customer Success Associate",
        "Customer Success Manager",
        "Senior Customer Success Manager",
        "Customer Success Team Manager",
    ),
    "implementation": (
        "Implementation Consultant",
        "Senior Implementation Consultant",
        "Lead Implementation Consultant",
        "Implementation Manager",
    ),
    "support": ("Support Engineer", "Senior Support Engineer", "Support Lead", "Support Manager"),
    "accounting": ("Accountant", "Senior Accountant", "Accounting Lead", "Accounting Manager"),
    "fpa": (
        "Financial Analyst",
        "Senior Financial Analyst",
        "Lead Financial Analyst",
        "FP&A Manager",
    ),
    "tax_payroll": (
        "Tax & Payroll Associate",
        "Tax & Payroll Specialist",
        "Tax & Payroll Lead",
        "Tax & Payroll Manager",
    ),
    "hr_business_partner": (
        "HR Associate",
        "HR Business Partner",
        "Senior HR Business Partner",
        "HR Business Partner Manager",
    ),
    "recruiting": ("Recruiter", "Senior Recruiter", "Lead Recruiter", "Talent Acquisition Manager"),
    "learning": (
        "Learning & Development Associate",
        "Learning & Development Specialist",
        "Senior Learning & Development Specialist",
        "Learning & Development Manager",
    ),
    "people_operations": (
        "People Operations Associate",
        "People Operations Specialist",
        "HRIS Lead",
        "People Operations Manager",
    ),
    "it": ("IT Support Associate", "IT Support Engineer", "IT Systems Lead", "IT Manager"),
    "workplace": (
        "Workplace Associate",
        "Workplace Coordinator",
        "Workplace Lead",
        "Workplace Manager",
    ),
    "legal": ("Legal Associate", "Legal Counsel", "Senior Legal Counsel", "Legal Manager"),
    "business_operations": (
        "Business Operations Analyst",
        "Senior Business Operations Analyst",
        "Business Operations Lead",
        "Business Operations Manager",
    ),
}


@dataclass(frozen=True)
class Team:
    """A manager (L4) and their direct reports (L1–L3 individual contributors)."""

    name: str
    track: str
    size: tuple[int, int]
    home: tuple[tuple[str, float], ...] = mostly("Bengaluru")
    # What tells this team's manager apart from others with the same title; the name if empty.
    focus: str = ""


@dataclass(frozen=True)
class Group:
    """A director's area. Without a director the team managers report to the head."""

    director_title: str | None
    teams: tuple[Team, ...]
    director_location: str = "Bengaluru"


@dataclass(frozen=True)
class Department:
    name: str
    head_title: str
    head_location: str
    groups: tuple[Group, ...]


CEO_TITLE = "Chief Executive Officer"
LEADERSHIP = "Leadership"
# People who report to the CEO outside any department: (title, level).
CEO_OFFICE = (("Chief of Staff", 5), ("Executive Assistant", 2))

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "Engineering",
        "Chief Technology Officer",
        "Bengaluru",
        (
            Group(
                "Director of Engineering – Platform",
                (
                    Team("Core Platform", "software", (6, 8)),
                    Team("Infrastructure", "sre", (5, 7), mostly("Pune")),
                    Team("Developer Experience", "software", (4, 6), mostly("Pune")),
                    Team("Security", "security", (4, 5)),
                ),
            ),
            Group(
                "Director of Engineering – Product",
                (
                    Team("Web App", "software", (6, 9)),
                    Team("Mobile", "mobile", (5, 7), mostly("Hyderabad")),
                    Team("Billing", "software", (5, 7), mostly("Pune")),
                    Team(
                        "Integrations",
                        "software",
                        (6, 8),
                        (("Bengaluru", 0.55), ("London", 0.35), (REMOTE_US, 0.1)),
                    ),
                    Team("Search", "software", (4, 6), mostly("Hyderabad")),
                ),
                director_location="Pune",
            ),
            Group(
                "Director of Engineering – Data",
                (
                    Team("Data Platform", "data_engineering", (5, 7), mostly("Hyderabad")),
                    Team("Analytics", "analytics", (4, 6), mostly("Hyderabad")),
                    Team("Machine Learning", "machine_learning", (5, 7)),
                ),
                director_location="Hyderabad",
            ),
            Group(
                "Director of Quality Engineering",
                (
                    Team("Test Automation", "quality", (5, 7), mostly("Pune")),
                    Team("Release Quality", "quality", (4, 6), mostly("Hyderabad")),
                ),
                director_location="Pune",
            ),
        ),
    ),
    Department(
        "Product",
        "Chief Product Officer",
        "Bengaluru",
        (
            Group(
                "Director of Product Management",
                (
                    Team("Core Product", "product_management", (4, 6)),
                    Team("Growth", "product_management", (4, 5), mostly("Pune")),
                ),
            ),
            Group(
                "Director of Design",
                (
                    Team("Product Design", "design", (5, 8)),
                    Team("User Research", "research", (4, 5)),
                ),
            ),
        ),
    ),
    Department(
        "Sales",
        "Chief Revenue Officer",
        "Bengaluru",
        (
            Group(
                "Director of Sales – India",
                (
                    Team(
                        "Enterprise Sales (South)",
                        "account_executive",
                        (5, 7),
                        focus="Enterprise South",
                    ),
                    Team(
                        "Enterprise Sales (West)",
                        "account_executive",
                        (5, 6),
                        mostly("Pune"),
                        focus="Enterprise West",
                    ),
                    Team(
                        "Mid-Market Sales",
                        "account_executive",
                        (5, 7),
                        mostly("Hyderabad"),
                        focus="Mid-Market",
                    ),
                    Team("Sales Development", "sales_development", (6, 9), mostly("Hyderabad")),
                ),
            ),
            Group(
                "Director of Sales – International",
                (
                    Team(
                        "UK & Europe Sales",
                        "account_executive",
                        (5, 7),
                        ((LONDON, 1.0),),
                        focus="UK & Europe",
                    ),
                    Team(
                        "North America Sales",
                        "account_executive",
                        (4, 5),
                        ((REMOTE_US, 1.0),),
                        focus="North America",
                    ),
                    Team(
                        "APAC Sales",
                        "account_executive",
                        (4, 5),
                        ((REMOTE_SINGAPORE, 1.0),),
                        focus="APAC",
                    ),
                ),
                director_location=LONDON,
            ),
            Group(
                None,
                (Team("Solutions Engineering", "solutions", (5, 7), mostly("Bengaluru", 0.85)),),
            ),
        ),
    ),
    Department(
        "Customer Success",
        "VP Customer Success",
        "Hyderabad",
        (
            Group(
                "Director of Customer Success",
                (
                    Team(
                        "Enterprise Accounts",
                        "customer_success",
                        (5, 7),
                        mostly("Hyderabad"),
                        focus="Enterprise",
                    ),
                    Team(
                        "Mid-Market Accounts",
                        "customer_success",
                        (6, 8),
                        mostly("Hyderabad"),
                        focus="Mid-Market",
                    ),
                    Team(
                        "EMEA Accounts", "customer_success", (4, 6), ((LONDON, 1.0),), focus="EMEA"
                    ),
                    Team("Implementation", "implementation", (5, 7), mostly("Pune")),
                ),
                director_location="Hyderabad",
            ),
            Group(
                "Director of Support",
                (
                    Team("Technical Support", "support", (7, 9), mostly("Hyderabad")),
                    Team("Support Operations", "support", (4, 6), mostly("Pune")),
                ),
                director_location="Hyderabad",
            ),
        ),
    ),
    Department(
        "Finance",
        "Chief Financial Officer",
        "Bengaluru",
        (
            Group(
                "Financial Controller",
                (
                    Team("Accounting", "accounting", (4, 6)),
                    Team("Tax & Payroll", "tax_payroll", (4, 5), mostly("Pune")),
                ),
            ),
            Group(None, (Team("FP&A", "fpa", (4, 6)),)),
        ),
    ),
    Department(
        "People & HR",
        "Chief People Officer",
        "Bengaluru",
        (
            Group(
                "Director of People",
                (
                    Team("HR Business Partners", "hr_business_partner", (4, 6)),
                    Team("Talent Acquisition", "recruiting", (6, 8), mostly("Hyderabad", 0.5)),
                ),
            ),
            Group(
                None,
                (
                    Team("Learning & Development", "learning", (4, 5)),
                    Team("People Operations", "people_operations", (4, 5), mostly("Pune")),
                ),
            ),
        ),
    ),
    Department(
        "Operations",
        "Chief Operating Officer",
        "Bengaluru",
        (
            Group(
                "Director of Workplace & IT",
                (
                    Team("IT", "it", (5, 7)),
                    Team(
                        "Workplace (Bengaluru)",
                        "workplace",
                        (4, 5),
                        (("Bengaluru", 1.0),),
                        focus="Bengaluru",
                    ),
                    Team("Workplace (Pune)", "workplace", (4, 4), (("Pune", 1.0),), focus="Pune"),
                    Team(
                        "Workplace (Hyderabad)",
                        "workplace",
                        (4, 4),
                        (("Hyderabad", 1.0),),
                        focus="Hyderabad",
                    ),
                ),
            ),
            Group(
                None,
                (
                    Team("Legal", "legal", (4, 5), mostly("Bengaluru", 0.6)),
                    Team("Business Operations", "business_operations", (4, 6)),
                ),
            ),
        ),
    ),
)


# --- The three sign-ins ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    """A person in the directory who can sign in to the demo, placed in a fixed seat."""

    role: str  # an ``organisations.models.Role`` value
    given: str
    family: str
    pool: str
    location: str
    department: str
    team: str
    seat: str  # "manager", or "member" for the team's first member


# fmt: off
DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "admin", "Ananya", "Rao", "kannada", "Bengaluru",
        "People & HR", "People Operations", "manager",
    ),
    DemoLogin(
        "programme_manager", "Meera", "Krishnan", "tamil", "Bengaluru",
        "People & HR", "Learning & Development", "manager",
    ),
    DemoLogin(
        "member", "Rohan", "Kulkarni", "marathi", "Pune",
        "Engineering", "Billing", "member",
    ),
)
# fmt: on
