"""The demo store's staff and the name pools customers are drawn from.

The demo catalog is ``resources/catalog/demo.json``, in the catalog file format.
"""

from __future__ import annotations

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
FIRST_NAMES_CYRILLIC = (
    "Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Юлия", "Татьяна", "Светлана",
    "Александр", "Дмитрий", "Сергей", "Андрей", "Михаил", "Иван", "Николай", "Олег",
)  # fmt: skip
LAST_NAMES_CYRILLIC = (
    "Иванова", "Петров", "Смирнов", "Кузнецова", "Попов", "Соколов", "Лебедева", "Козлов",
    "Новикова", "Морозов", "Волков", "Соловьёва", "Шевченко", "Зайцев", "Павлова", "Щукин",
)  # fmt: skip
INTERACTIONS = (
    ("visit", "Visited the store"),
    ("sale", "Bought a phone case"),
    ("payment", "Paid the monthly bill in store"),
    ("note", "Asked about roaming prices"),
    ("plan_change", "Changed plan to Smart M 30 GB"),
    ("addon", "Added Roaming World 5 GB"),
    ("sim_swap", "SIM swapped after the phone was lost (ID card checked)"),
    ("note", "Wants a better price before the commitment ends"),
)
