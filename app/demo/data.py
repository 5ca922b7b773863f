"""The demo store's fixed content: catalog, staff, and the name pools customers are drawn from."""

from __future__ import annotations

# sku, name, kind, price, monthly fee, VAT %, barcode, serial kind
CATALOG: tuple[tuple[str, str, str, str, str | None, str, str | None, str | None], ...] = (
    ("PLAN-S", "Smart S 10 GB", "plan", "0.00", "14.99", "19", None, None),
    ("PLAN-M", "Smart M 30 GB", "plan", "0.00", "24.99", "19", None, None),
    ("PLAN-L", "Smart L Unlimited", "plan", "0.00", "39.99", "19", None, None),
    ("PLAN-PRE", "Prepaid Start", "plan", "9.99", None, "19", None, None),
    ("ADD-ROAM", "Roaming World 5 GB", "addon", "0.00", "9.99", "19", None, None),
    ("ADD-DATA", "Extra Data 10 GB", "addon", "0.00", "5.00", "19", None, None),
    ("SIM-STD", "SIM card (triple cut)", "sim", "9.99", None, "19", None, "iccid"),
    ("SIM-ESIM", "eSIM profile", "sim", "9.99", None, "19", None, "iccid"),
    ("DEV-A15", "Galaxy A15 128 GB", "device", "199.00", None, "19", None, "imei"),
    ("DEV-IP15", "iPhone 15 128 GB", "device", "899.00", None, "19", None, "imei"),
    ("ACC-CASE", "Phone case, clear", "accessory", "14.99", None, "19", "4006381333931", None),
    ("ACC-CHG", "USB-C charger 25 W", "accessory", "24.99", None, "19", "4006381333948", None),
    ("ACC-GLASS", "Screen protector", "accessory", "9.99", None, "19", "4006381333955", None),
    ("SVC-SWAP", "SIM swap fee", "service", "15.00", None, "19", None, None),
    ("TOPUP-15", "Prepaid top-up 15", "service", "15.00", None, "0", None, None),
)

# username, display name, role, PIN
USERS: tuple[tuple[str, str, str, str], ...] = (
    ("anna", "Anna Consultant", "consultant", "1111"),
    ("boris", "Boris Second Line", "second_line", "2222"),
    ("maria", "Maria Manager", "manager", "3333"),
    ("ivan", "Ivan IT", "it_admin", "4444"),
)

FIRST_NAMES = (
    "Anna", "Maria", "Elena", "Olga", "Natalia", "Irina", "Sophie", "Laura", "Julia", "Emma",
    "Alexander", "Dmitri", "Sergei", "Andrei", "Mikhail", "Ivan", "Lukas", "Jonas", "Paul",
    "Felix", "Max", "Leon", "Tatiana", "Svetlana", "Yulia", "Ekaterina", "Hannah", "Lea",
    "Mia", "Lena", "Nikolai", "Pavel", "Oleg", "Viktor", "Thomas", "Stefan", "Jan", "Tim",
)  # fmt: skip
LAST_NAMES = (
    "Ivanova", "Petrov", "Smirnov", "Kuznetsova", "Popov", "Sokolov", "Lebedeva", "Kozlov",
    "Novikova", "Morozov", "Volkov", "Solovyova", "Vasiliev", "Zaitsev", "Pavlova", "Semenov",
    "Golubev", "Vinogradova", "Bogdanov", "Vorobyov", "Müller", "Schmidt", "Schneider",
    "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch", "Richter",
    "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
    "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
)  # fmt: skip
INTERACTIONS = (
    ("visit", "Visited the store"),
    ("sale", "Bought a phone case"),
    ("payment", "Paid the monthly bill in store"),
    ("note", "Asked about roaming prices"),
    ("plan_change", "Changed plan to Smart M 30 GB"),
    ("addon", "Added Roaming World 5 GB"),
)
