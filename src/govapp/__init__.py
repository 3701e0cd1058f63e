"""GovApp Registry — 政务应用程序规范化管理系统."""

__version__ = "0.1.0"
