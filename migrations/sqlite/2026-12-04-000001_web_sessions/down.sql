DROP TABLE pending_logins;
DROP TABLE web_sessions;
