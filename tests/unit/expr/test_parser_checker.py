"""Parser and checker: precedence, literals and escapes, [label] resolution, error positions
and bilingual messages, the fields a formula reads and whether it can run in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.expr import (
    REGISTRY,
    EvalContext,
    ExprError,
    ExprLimitError,
    FieldInfo,
    Schema,
    check,
    collection,
    compile_python,
    normalize,
    parse,
    relation,
)
from jimu.engines.expr import nodes as n
from jimu.engines.expr.jsonlogic import to_jsonlogic
from jimu.engines.expr.types import BOOL, DATE, DATETIME, DEPARTMENT, NUMBER, TEXT, USER, Type

D = Decimal

PART = Schema("part").add(FieldInfo("weight", NUMBER))
LINE = (
    Schema("line")
    .add(FieldInfo("subtotal", NUMBER, {"zh": "小计", "en": "Subtotal"}))
    .add(FieldInfo("sku", TEXT))
    .add(collection("parts", PART, "line_id"))
)
OPPORTUNITY = Schema("opportunity").add(FieldInfo("amount", NUMBER)).add(FieldInfo("stage", TEXT))
CUSTOMER = (
    Schema("customer")
    .add(FieldInfo("name", TEXT, {"zh": "客户名称", "en": "Customer name"}))
    .add(FieldInfo("industry", TEXT))
)
SCHEMA = (
    Schema("contract")
    .add(FieldInfo("amount", NUMBER, {"zh": "合同金额", "en": "Contract amount"}))
    .add(FieldInfo("qty", NUMBER, {"zh": "数量", "en": "Qty"}))
    .add(FieldInfo("blank", NUMBER))
    .add(FieldInfo("name", TEXT, {"zh": "名称", "en": "Name"}))
    .add(FieldInfo("sign", DATE, {"zh": "签约日期", "en": "Signed on"}))
    .add(FieldInfo("at", DATETIME))
    .add(FieldInfo("vip", BOOL))
    .add(FieldInfo("owner", USER))
    .add(FieldInfo("dept", DEPARTMENT))
    .add(relation("customer", CUSTOMER, label={"zh": "客户", "en": "Customer"}))
    .add(collection("lines", LINE, "contract_id", label={"zh": "明细", "en": "Lines"}))
    .add(collection("opps", OPPORTUNITY, "contract_id"))
)
ROW: dict[str, Any] = {
    "amount": D(1000),
    "qty": D(3),
    "blank": None,
    "name": "积木",
    "sign": None,
    "at": None,
    "vip": None,
    "owner": 7,
    "dept": 3,
    "customer": {"name": "远景", "industry": "IT"},
    "lines": [{"subtotal": D(10), "sku": "a"}, {"subtotal": D(5), "sku": None}],
    "opps": [{"amount": D(100), "stage": "won"}],
}
CTX = EvalContext(user_id=7, department_id=3)


def run(source: str) -> Any:
    return compile_python(check(source, SCHEMA))(ROW, CTX)


def error_of(source: str, **kwargs: Any) -> ExprError:
    with pytest.raises(ExprError) as caught:
        check(source, SCHEMA, **kwargs)
    return caught.value


# -- precedence and associativity -----------------------------------------------------------

PRECEDENCE = [
    ("1 + 2 * 3", D(7)),
    ("(1 + 2) * 3", D(9)),
    ("10 - 2 - 3", D(5)),
    ("100 / 10 / 2", D(5)),
    ("7 / 2", D("3.5")),
    ("2 * 3 ^ 2", D(18)),
    ("-2 ^ 2", D(4)),
    ("-(2 ^ 2)", D(-4)),
    ("0 - 2 ^ 2", D(-4)),
    ("2 ^ 3 ^ 2", D(64)),
    ("2 ^ (3 ^ 2)", D(512)),
    ("2 ^ -1", D("0.5")),
    ("2 ^ -2 ^ 2", D("0.0625")),
    ("--2", D(2)),
    ("+-+2", D(-2)),
    ("50%", D("0.5")),
    ("50% * 2", D(1)),
    ("-50%", D("-0.5")),
    ("200%%", D("0.02")),
    ("4 ^ 50%", D(2)),
    ("qty * 10%", D("0.3")),
    ("0.1 + 0.2", D("0.3")),
    ("1 / 0", None),
    ("0 / 0", None),
    ("NULL + 1", None),
    ("blank * 0", None),
    ('"a" & 1 + 2', "a3"),
    ('1 + 2 & "b"', "3b"),
    ('"x" & 2 * 3', "x6"),
    ('"n=" & 1 / 4', "n=0.25"),
    ('"a" & NULL & "b"', "ab"),
    ('1 & 2 = "12"', True),
    ("1 + 1 = 2", True),
    ("1 < 2 = TRUE", True),
    ("1 > 2 = FALSE", True),
    ("1 = 1 = TRUE", True),
    ("NULL = NULL", True),
    ("NULL <> NULL", False),
    ("blank = NULL", True),
    ("blank <> 1", True),
    ("blank = 0", False),
    ("blank < 1", False),
    ("blank <= 1", False),
    ("blank > 1", False),
    ("blank >= 1", False),
    ("NOT blank > 1", True),
    ('"a" = "A"', False),
    ('"a" < "b"', True),
    ("NOT 1 = 2", True),
    ("NOT FALSE AND FALSE", False),
    ("NOT (FALSE AND FALSE)", True),
    ("TRUE OR TRUE AND FALSE", True),
    ("FALSE AND FALSE OR TRUE", True),
    ("FALSE AND (FALSE OR TRUE)", False),
    ("NULL AND TRUE", False),
    ("NULL OR TRUE", True),
    ("NOT NULL", True),
    ("vip OR NOT vip", True),
    ("true and not false", True),
    ("AND(TRUE, FALSE) OR TRUE", True),
    ("OR(FALSE, FALSE)", False),
    ("and(TRUE, TRUE)", True),
    ("AND (TRUE, 1 < 2)", True),
    ("NOT AND(TRUE, FALSE)", True),
    ("1 IN (1, 2)", True),
    ("3 IN (1, 2)", False),
    ("3 NOT IN (1, 2)", True),
    ("1 not in (1, 2)", False),
    ("NULL IN (1, NULL)", True),
    ("blank IN (1, 2)", False),
    ("blank NOT IN (1, 2)", True),
    ("1 + 1 IN (2)", True),
    ('"a" & "b" IN ("ab", "cd")', True),
    ("NOT 1 IN (2)", True),
    ("qty IN (1, 2) OR qty IN (3)", True),
    ('name IN ("积木", "x") AND amount > 100', True),
]


@pytest.mark.parametrize(("source", "expected"), PRECEDENCE)
def test_precedence(source: str, expected: Any) -> None:
    value = run(source)
    if isinstance(expected, Decimal):
        assert isinstance(value, Decimal)
        assert value == expected
    else:
        assert value == expected
        assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("source", "shape"),
    [
        ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
        ("-2 ^ 2", ("^", ("neg", 2), 2)),
        ("2 ^ 3 ^ 2", ("^", ("^", 2, 3), 2)),
        ("1 - 2 - 3", ("-", ("-", 1, 2), 3)),
        ("-50%", ("%", ("neg", 50))),
        ('"a" & 1 + 2', ("&", "a", ("+", 1, 2))),
        ("1 < 2 = TRUE", ("=", ("<", 1, 2), True)),
        ("NOT TRUE AND FALSE", ("AND", ("NOT", True), False)),
        ("TRUE OR FALSE AND TRUE", ("OR", True, ("AND", False, True))),
        ("1 IN (2, 3)", ("IN", 1, 2, 3)),
        ("1 NOT IN (2)", ("NOT IN", 1, 2)),
    ],
)
def test_tree_shape(source: str, shape: Any) -> None:
    assert _shape(parse(source)) == shape


def _shape(node: n.Node) -> Any:
    if isinstance(node, n.Number):
        return int(node.value)
    if isinstance(node, (n.String, n.Bool)):
        return node.value
    if isinstance(node, n.Unary):
        return ("neg" if node.op == "-" else "pos", _shape(node.operand))
    if isinstance(node, n.Percent):
        return ("%", _shape(node.operand))
    if isinstance(node, n.Not):
        return ("NOT", _shape(node.operand))
    if isinstance(node, n.Binary):
        return (node.op, _shape(node.left), _shape(node.right))
    if isinstance(node, n.In):
        op = "NOT IN" if node.negated else "IN"
        return (op, _shape(node.operand), *(_shape(i) for i in node.items))
    raise AssertionError(node)


def test_keywords_and_function_names_are_case_insensitive() -> None:
    call = parse("sum(1, 2)")
    assert isinstance(call, n.Call)
    assert call.name == "SUM"
    assert isinstance(parse("true"), n.Bool)
    assert isinstance(parse("Null"), n.Null)
    assert isinstance(parse("blank"), n.Null)
    # a field may start with a keyword
    assert isinstance(parse("android"), n.Name)
    assert isinstance(parse("order_total"), n.Name)
    assert isinstance(parse("nullable"), n.Name)


# -- literals -----------------------------------------------------------------------------

STRINGS = [
    ('"a\\"b"', 'a"b'),
    ('"a\\\\b"', "a\\b"),
    ('"a\\nb"', "a\nb"),
    ('"a\\tb"', "a\tb"),
    ('"a""b"', 'a"b'),
    ('""""', '"'),
    ('""', ""),
    ('"\\q"', "q"),
    ('"客户\\"管理\\""', '客户"管理"'),
    ('"line 1\nline 2"', "line 1\nline 2"),
    ('"[合同金额]"', "[合同金额]"),
    ('"AND OR NOT"', "AND OR NOT"),
]


@pytest.mark.parametrize(("source", "expected"), STRINGS)
def test_string_escapes(source: str, expected: str) -> None:
    node = parse(source)
    assert isinstance(node, n.String)
    assert node.value == expected
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [("12", D(12)), ("3.14", D("3.14")), (".5", D("0.5")), ("5.", D(5)), ("1e3", D(1000))],
)
def test_numbers(source: str, expected: Decimal) -> None:
    node = parse(source)
    assert isinstance(node, n.Number)
    assert node.value == expected


# -- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("[合同金额] * 2", D(2000)),
        ("[Contract amount] + [数量]", D(1003)),
        ("[ 数量 ]", D(3)),
        ("[amount]", D(1000)),
        ("[客户].name", "远景"),
        ("SUM([明细].subtotal)", D(15)),
        ('[名称] & "[名称]"', "积木[名称]"),
    ],
)
def test_labels_resolve_to_fields(source: str, expected: Any) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "stored"),
    [
        ("[合同金额] * 2", "amount * 2"),
        ("[Contract amount] + [数量]", "amount + qty"),
        ("[ 数量 ]", "qty"),
        ('[名称] & "[名称]"', 'name & "[名称]"'),
        ("IF([合同金额] > 0,\n  [Qty],\n  0)", "IF(amount > 0,\n  qty,\n  0)"),
        ("[客户].name", "customer.name"),
        ("SUM([明细].subtotal)", "SUM(lines.subtotal)"),
        ("amount + 1", "amount + 1"),
    ],
)
def test_normalize_stores_keys(source: str, stored: str) -> None:
    assert normalize(source, SCHEMA) == stored
    assert check(stored, SCHEMA).fields == check(source, SCHEMA).fields


def test_normalize_refuses_unknown_labels_with_their_position() -> None:
    with pytest.raises(ExprError) as caught:
        normalize("amount +\n  [不存在]", SCHEMA)
    error = caught.value
    assert error.reason == "unknown_field"
    assert (error.line, error.column) == (2, 3)
    assert "不存在" in error.message.render("zh-CN")


# -- errors: position, excerpt, zh/en ------------------------------------------------------

ERRORS = [
    # (source, reason, line, column, en fragment, zh fragment)
    ("1 +", "syntax", 1, 4, "ends too early", "公式不完整"),
    ("(1 + 2", "syntax", 1, 7, "ends too early", "缺少数值或右括号"),
    ("1 + * 2", "syntax", 1, 5, "Unexpected '*'", "此处不应出现“*”"),
    ("1 + 2)", "syntax", 1, 6, "Unexpected ')'", "此处不应出现“)”"),
    ("1 # 2", "syntax", 1, 3, "Unexpected character '#'", "无法识别的字符“#”"),
    ("IF(amount > 1,\n   'a',\n   2)", "syntax", 2, 4, "Unexpected character", "无法识别的字符"),
    ("SUM(1,, 2)", "syntax", 1, 7, "Unexpected ','", "此处不应出现"),
    ("", "empty", 1, 1, "empty", "公式为空"),
    ("  \n ", "empty", 1, 1, "empty", "公式为空"),
    ("amout + 1", "unknown_field", 1, 1, "Did you mean 'amount'?", "是否想输入“amount”"),
    (
        "1 +\n  qyt",
        "unknown_field",
        2,
        3,
        "Unknown field 'qyt' in contract",
        "contract 中没有字段“qyt”",
    ),
    ("zzzzzz", "unknown_field", 1, 1, "Unknown field 'zzzzzz'", "没有字段“zzzzzz”"),
    ("customer.nmae", "unknown_field", 1, 1, "Did you mean 'name'?", "customer 中没有字段“nmae”"),
    (
        "[金额合同]",
        "unknown_field",
        1,
        1,
        "No field is labelled '金额合同'",
        "没有名为“金额合同”的字段",
    ),
    ("SUMM(1)", "unknown_function", 1, 1, "Did you mean SUM?", "没有函数 SUMM。是否想输入 SUM？"),
    ("1 + FOO(2)", "unknown_function", 1, 5, "Unknown function FOO.", "没有函数 FOO"),
    ("IF(TRUE)", "arity", 1, 1, "takes 2-3 argument(s), not 1", "需要 2-3 个参数，而不是 1 个"),
    ('LEN("a", 1)', "arity", 1, 1, "LEN(text) takes 1 argument(s), not 2", "需要 1 个参数"),
    ("TODAY(1)", "arity", 1, 1, "takes 0 argument(s), not 1", "需要 0 个参数"),
    ("SUM()", "arity", 1, 1, "takes 1+ argument(s), not 0", "需要 1+ 个参数"),
    ('2 * MID("a", 1)', "arity", 1, 5, "takes 3 argument(s), not 2", "而不是 2 个"),
    ('"a" + 1', "type", 1, 1, "Expected a number here, not text", "此处应为数字，而不是文本"),
    ("amount + name", "type", 1, 10, "not text", "此处应为数字"),
    ("-name", "type", 1, 2, "Expected a number here, not text", "此处应为数字"),
    ("name = 1", "type", 1, 1, "Cannot compare text with number", "不能比较文本和数字"),
    ('1 < "2"', "type", 1, 1, "Cannot compare number with text", "不能比较数字和文本"),
    ('amount IN (1, "2")', "type", 1, 15, "Cannot compare number with text", "不能比较"),
    ("vip < TRUE", "type", 1, 1, "have no order", "不能比较大小"),
    ("owner > 3", "type", 1, 1, "have no order", "不能比较大小"),
    ("sign = 1", "type", 1, 1, "Cannot compare date with number", "不能比较日期和数字"),
    (
        'IF(TRUE, 1, "a")',
        "type",
        1,
        13,
        "all results must have the same type",
        "各分支结果的类型必须一致",
    ),
    ('IFS(vip, 1, TRUE, "b")', "type", 1, 19, "number vs text", "数字 与 文本"),
    ('SWITCH(qty, 1, "a", 2)', "type", 1, 21, "same type", "类型必须一致"),
    (
        "IF(amount, 1, 2)",
        "type",
        1,
        4,
        "argument 1 must be true/false, not number",
        "第 1 个参数应为逻辑值，而不是数字",
    ),
    ("IF(name, 1, 2)", "type", 1, 4, "must be true/false, not text", "而不是文本"),
    ("NOT amount", "type", 1, 5, "Expected a condition (TRUE/FALSE) here", "此处应为条件（真/假）"),
    ("amount AND TRUE", "type", 1, 1, "Expected a condition", "此处应为条件"),
    ("AND(TRUE, qty)", "type", 1, 11, "argument 2 must be true/false", "第 2 个参数应为逻辑值"),
    (
        "LEN(amount)",
        "type",
        1,
        5,
        "LEN: argument 1 must be text, not number",
        "LEN：第 1 个参数应为文本",
    ),
    ('ROUND("1.5", 1)', "type", 1, 7, "argument 1 must be number", "第 1 个参数应为数字"),
    ('DATEADD(sign, "1")', "type", 1, 15, "argument 2 must be number", "第 2 个参数"),
    ("YEAR(amount)", "type", 1, 6, "must be date", "应为日期"),
    (
        "lines.subtotal * 2",
        "list_result",
        1,
        1,
        "aggregate it with SUM",
        "请用 SUM、COUNT、MAX 等函数汇总",
    ),
    ("lines.subtotal", "list_result", 1, 1, "one value per sub-form row", "子表单每一行"),
    ('opps.stage = "won"', "list_result", 1, 1, "aggregate", "汇总"),
    (
        "SUM(lines.subtotal * opps.amount)",
        "mixed_lists",
        1,
        5,
        "different sub-forms",
        "不能混用来自不同子表单或关联的数据",
    ),
    ("SUM(lines.subtotal, opps.amount)", "type", 1, 5, "different sub-forms", "不能混用"),
    ('SUMIF(lines.subtotal, opps.stage = "won")', "type", 1, 23, "same sub-form", "同一个子表单"),
    (
        "SUMIF(amount, amount > 0)",
        "type",
        1,
        7,
        "must be a sub-form or relation field",
        "子表单或关联数据的字段",
    ),
    ("SUM(lines.parts)", "nested_list", 1, 5, "Sub-forms inside sub-forms", "子表单中的子表单"),
    ("customer", "record_result", 1, 1, "customer.name", "请选择关联记录的某个字段"),
    ("amount.x", "not_a_record", 1, 1, "'.x' needs a relation", "前面应为关联"),
]


@pytest.mark.parametrize(("source", "reason", "line", "column", "en", "zh"), ERRORS)
def test_error_position_and_messages(
    source: str, reason: str, line: int, column: int, en: str, zh: str
) -> None:
    error = error_of(source)
    assert type(error) is ExprError
    assert error.reason == reason
    assert (error.line, error.column) == (line, column)
    assert en in error.message.render("en")
    assert zh in error.message.render("zh-CN")
    # the excerpt is the offending line with a caret under the column
    shown, caret = error.excerpt.split("\n")
    assert shown == source.split("\n")[line - 1][:80]
    assert caret == " " * (column - 1) + "^"
    # the detail and the JSON form carry the position too
    assert f"line {line}, column {column}: " in error.detail.render("en")
    assert f"第 {line} 行第 {column} 列：" in error.detail.render("zh-CN")
    described = error.as_dict("zh-CN")
    assert described["code"] == reason
    assert (described["line"], described["column"]) == (line, column)
    assert described["message"] == error.message.render("zh-CN")
    assert error.extra["excerpt"] == error.excerpt


def test_excerpt_of_a_long_line_stays_short_around_the_caret() -> None:
    source = "1 + " * 30 + "nope + " + "2 + " * 30 + "3"
    error = error_of(source)
    shown, caret = error.excerpt.split("\n")
    assert len(shown) <= 80
    assert shown[len(caret) - 1 :].startswith("nope")
    assert error.column == 121


@pytest.mark.parametrize(
    "source", ["1 +", "1 2", "(1", "IF(TRUE,,1)", ")", "1 + ,", "NOT", "a b", "1 IN 2"]
)
def test_syntax_errors_do_not_leak_grammar_names(source: str) -> None:
    error = error_of(source)
    assert error.reason == "syntax"
    for locale in ("en", "zh-CN"):
        message = error.message.render(locale)
        assert "_" not in message
        assert "$END" not in message
        assert "and_fn" not in message.lower()


def test_expected_result_type() -> None:
    assert check("amount > 1", SCHEMA, expect=BOOL).type == BOOL
    assert check("NULL", SCHEMA, expect=BOOL).type.kind == "null"
    assert check("sign", SCHEMA, expect=DATETIME).type == DATE
    error = error_of("amount + 1", expect=BOOL)
    assert error.reason == "type"
    assert "The result must be true/false, not number" in error.message.render("en")
    assert "结果应为逻辑值，而不是数字" in error.message.render("zh-CN")


def test_list_results_may_be_allowed() -> None:
    checked = check("lines.subtotal * 2", SCHEMA, allow_list=True)
    assert checked.type.is_list
    assert checked.type.source == "lines"
    assert compile_python(checked)(ROW, CTX) == [D(20), D(10)]


def test_checker_errors_raised_on_a_node_have_no_source() -> None:
    with pytest.raises(ExprError) as caught:
        check(parse("1 + nope"), SCHEMA)
    assert caught.value.reason == "unknown_field"
    assert caught.value.pos == 4


# -- fields read, types, SQL capability ----------------------------------------------------

FIELDS = [
    ("1 + 2", [], []),
    ("amount * 2", ["amount"], []),
    ("amount + amount * qty", ["amount", "qty"], []),
    ('customer.industry = "IT"', ["customer", "customer.industry"], []),
    ("SUM(lines.subtotal) + COUNT(opps)", ["lines", "lines.subtotal", "opps"], ["COUNT", "SUM"]),
    ('SUMIF(opps.amount, opps.stage = "won")', ["opps", "opps.amount", "opps.stage"], ["SUMIF"]),
    ("[合同金额] + [数量]", ["amount", "qty"], []),
    ("[客户].name", ["customer", "customer.name"], []),
    ("TODAY() - sign", ["sign"], ["TODAY"]),
    ("IF(vip, ROUND(amount, 2), 0) > 1", ["amount", "vip"], ["IF", "ROUND"]),
    ('TEXT(amount, "0.00") & RMB_UPPER(amount)', ["amount"], ["RMB_UPPER", "TEXT"]),
]


@pytest.mark.parametrize(("source", "fields", "functions"), FIELDS)
def test_fields_and_functions_read(source: str, fields: list[str], functions: list[str]) -> None:
    checked = check(source, SCHEMA)
    assert checked.fields == fields
    assert checked.functions == functions
    assert checked.source == source


@pytest.mark.parametrize(
    ("source", "capable", "unsupported"),
    [
        ("amount * 2 > 100", True, []),
        ('SUMIF(opps.amount, opps.stage = "won") + SUM(lines.subtotal)', True, []),
        ('DATEADD(sign, 1, "m") > TODAY()', True, []),
        ('TEXT(amount, "#,##0")', True, []),
        ('TEXT(amount, "0" & "0")', False, ["TEXT"]),
        ("TEXT(amount, NULL)", False, ["TEXT"]),
        ('"金额：" & RMB_UPPER(amount)', False, ["RMB_UPPER"]),
        ('IF(vip, TEXT(sign, "yyyy"), RMB_UPPER(1))', False, ["RMB_UPPER"]),
        ("IF(vip, TEXT(sign, name), RMB_UPPER(1))", False, ["RMB_UPPER", "TEXT"]),
    ],
)
def test_sql_capable(source: str, capable: bool, unsupported: list[str]) -> None:
    checked = check(source, SCHEMA)
    assert checked.sql_capable is capable
    assert checked.sql_unsupported == unsupported


def test_text_tells_the_browser_what_kind_of_value_it_formats() -> None:
    logic = to_jsonlogic(check('TEXT(sign, "yyyy") & TEXT(name, "0")', SCHEMA))
    assert logic == {
        "j.concat": [
            {"j.TEXT": [{"var": "sign"}, "yyyy", "date"]},
            {"j.TEXT": [{"var": "name"}, "0", "text"]},
        ]
    }


def test_an_aggregate_inside_a_sub_form_condition_stays_on_the_server() -> None:
    with pytest.raises(ExprError) as caught:
        to_jsonlogic(check("COUNTIF(lines, lines.subtotal > COUNT(lines))", SCHEMA))
    assert caught.value.reason == "not_browser"


def test_only_text_formatting_functions_are_python_only() -> None:
    assert {name for name, spec in REGISTRY.items() if not spec.sql} == {"RMB_UPPER"}
    assert {name for name, spec in REGISTRY.items() if spec.sql_literals} == {"TEXT"}


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("amount > 1", "bool"),
        ("amount & 1", "text"),
        ("sign + 1", "date"),
        ("1 + sign", "date"),
        ("at - 1", "datetime"),
        ("at - sign", "number"),
        ("IF(vip, sign, at)", "datetime"),
        ("COALESCE(NULL, NULL)", "null"),
        ("MAX(sign, sign)", "date"),
        ("CURRENT_USER()", "user"),
        ("CURRENT_DEPT()", "department"),
        ("customer.name", "text"),
        ("50%", "number"),
    ],
)
def test_result_types(source: str, kind: str) -> None:
    checked = check(source, SCHEMA)
    assert checked.type.kind == kind
    assert checked.type_of(checked.ast) == checked.type


def test_every_node_has_a_type() -> None:
    checked = check('IF(amount > 1, SUM(lines.subtotal) & "", LEFT(name, 2))', SCHEMA)
    assert all(isinstance(checked.type_of(node), Type) for node in n.walk(checked.ast))
    assert checked.type_of(checked.ast) == TEXT
    argument = checked.ast.args[0]  # type: ignore[attr-defined]
    assert checked.type_of(argument) == BOOL


def test_parse_is_pure_and_nodes_point_at_the_source() -> None:
    source = 'amount + LEN("客户")'
    tree = parse(source)
    assert isinstance(tree, n.Binary)
    assert (tree.left.pos, tree.left.end) == (0, 6)
    assert source[tree.right.pos : tree.right.end] == 'LEN("客户")'
    assert n.member_path(parse("customer.name")) == "customer.name"
    assert n.member_path(parse("1")) is None


def test_limit_errors_from_the_parser_keep_their_class() -> None:
    for source in ["1" * 41, "(" * 101 + "1" + ")" * 101, "x" * 10_001, '"' + "y" * 9_999 + 'z"']:
        with pytest.raises(ExprLimitError):
            check(source, SCHEMA)


@pytest.mark.parametrize(
    "source",
    [
        "9" * 40,
        "0." + "0" * 30 + "1",
        "(" * 100 + "1" + ")" * 100,
        "-" * 99 + "1",
        '"' + "y" * 9_998 + '"',
        "x" * 10_000,
    ],
)
def test_inputs_just_inside_the_limits_parse(source: str) -> None:
    assert parse(source) is not None


def test_types_of_user_and_department_compare_with_numbers() -> None:
    assert run("owner = 7") is True
    assert run("dept = 3") is True
    assert run("owner IN (1, 7)") is True
    assert check("owner = CURRENT_USER()", SCHEMA, expect=BOOL).fields == ["owner"]


def test_user_type_is_distinct_from_department() -> None:
    error = error_of("owner = dept")
    assert error.reason == "type"
    assert "Cannot compare member with department" in error.message.render("en")
    assert USER != DEPARTMENT
    assert NUMBER != TEXT
