"""Words of the web shell in English and Chinese."""

from __future__ import annotations

UI: dict[str, tuple[str, str]] = {
    "app_name": ("Jimu", "积木"),
    "tagline": ("Build business apps without code", "零代码搭建业务应用"),
    "sign_in": ("Sign in", "登录"),
    "sign_out": ("Sign out", "退出登录"),
    "username": ("Username", "用户名"),
    "password": ("Password", "密码"),
    "apps": ("Apps", "应用"),
    "my_apps": ("My apps", "我的应用"),
    "new_app": ("New app", "新建应用"),
    "no_apps": ("No apps yet.", "还没有应用。"),
    "no_apps_admin": (
        "No apps yet. Create the first one, or install a template.",
        "还没有应用。新建一个，或从模板安装。",
    ),
    "app_key": ("Key (ASCII, e.g. crm)", "标识（英文，如 crm）"),
    "name_zh": ("Name (Chinese)", "名称（中文）"),
    "name_en": ("Name (English)", "名称（英文）"),
    "description": ("Description", "描述"),
    "create": ("Create", "创建"),
    "cancel": ("Cancel", "取消"),
    "language": ("Language", "语言"),
    "admin": ("Administration", "管理后台"),
    "users": ("Users", "成员"),
    "departments": ("Departments", "部门"),
    "roles": ("Roles", "角色"),
    "api_docs": ("API docs", "API 文档"),
    "home": ("Home", "首页"),
    "forms": ("Forms", "表单"),
    "reports": ("Reports", "报表"),
    "app_empty": (
        "This app has no forms yet. Forms, flows and reports you build appear in the menu.",
        "此应用还没有表单。搭建的表单、流程和报表会出现在左侧菜单中。",
    ),
    "platform_admin": ("Platform admin", "平台管理员"),
    "signed_in_as": ("Signed in as", "当前用户"),
    "error_generic": ("Something went wrong.", "出错了。"),
    "not_found": ("Page not found", "页面不存在"),
}


def translate(key: str, locale: str) -> str:
    """The UI word ``key`` in ``locale``; the key itself if unknown."""
    pair = UI.get(key)
    if pair is None:
        return key
    return pair[1] if locale.startswith("zh") else pair[0]
