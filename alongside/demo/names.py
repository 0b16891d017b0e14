"""Names for the demo's people: given and family names by region or community, the
languages that come with them, and a few names written in Indian scripts.

Nothing here is random; ``alongside.demo.build`` draws from it with a seeded generator.
"""

from __future__ import annotations

from dataclasses import dataclass


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
