DROP TRIGGER IF EXISTS page_state_organisations ON organisations;
DROP TRIGGER IF EXISTS page_state_programmes ON programmes;
DROP TRIGGER IF EXISTS page_state_grants ON grants;
DROP TRIGGER IF EXISTS page_state_applications ON applications;
DROP TRIGGER IF EXISTS page_state_provider_offerings ON provider_offerings;
DROP TRIGGER IF EXISTS page_state_usage_uploads ON usage_uploads;
DROP FUNCTION page_state_bump();
DROP TABLE page_state;
