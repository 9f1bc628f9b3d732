"""The sheet layout shared by «Скачать шаблон» (`template`) and «Загрузить из Excel» (`reading`).

One sheet per table:

    row 1   hidden column A: the table key; B1: the table title
    row 2   hidden: column keys (C2, D2, …), so renamed headers still match
    row 3   headers as in the form (B3: the row header, «Класс», «№»)
    row 4   a note under each header: limits and allowed special codes («0–2; X, отсутствовал»)
    row 5…  data: hidden column A is the row key, B the row label (or number), then the values
"""

FIRST_DATA_ROW = 5
FIRST_VALUE_COLUMN = 3  # C: A is the hidden row key, B the row label
