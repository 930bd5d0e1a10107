DROP INDEX usage_lines_grant;
DROP TABLE usage_flags;
