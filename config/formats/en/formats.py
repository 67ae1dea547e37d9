DATE_FORMAT = "j.m.Y"
SHORT_DATE_FORMAT = "j.m.Y"
DATETIME_FORMAT = "j.m.Y H:i"
SHORT_DATETIME_FORMAT = "j.m.Y H:i"
TIME_FORMAT = "H:i"
# Four-digit years only: "13.05.60" would be read as 2060 (Python puts 00–68 in 20xx).
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
