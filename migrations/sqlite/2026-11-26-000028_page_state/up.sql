-- What the cached public pages and reports show besides ledger figures (names, countries,
-- programme terms, grants' and applications' details) changes in these tables. Every change to
-- them moves `page_state.version`, so a server keeps a rendered page only while both this
-- version and the ledger head's entry count stand still: one row read per request decides,
-- and several servers over one database each stay correct.
CREATE TABLE page_state (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO page_state (id, version) VALUES (1, 0);
CREATE TRIGGER page_state_organisations_insert AFTER INSERT ON organisations BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_organisations_update AFTER UPDATE ON organisations BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_organisations_delete AFTER DELETE ON organisations BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programmes_insert AFTER INSERT ON programmes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programmes_update AFTER UPDATE ON programmes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programmes_delete AFTER DELETE ON programmes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grants_insert AFTER INSERT ON grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grants_update AFTER UPDATE ON grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grants_delete AFTER DELETE ON grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_insert AFTER INSERT ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_update AFTER UPDATE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_delete AFTER DELETE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_provider_offerings_insert AFTER INSERT ON provider_offerings BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_provider_offerings_update AFTER UPDATE ON provider_offerings BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_provider_offerings_delete AFTER DELETE ON provider_offerings BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
-- A usage file submitted, approved, disputed or expired changes what a grant's usage pages count.
CREATE TRIGGER page_state_usage_uploads_insert AFTER INSERT ON usage_uploads BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_usage_uploads_update AFTER UPDATE ON usage_uploads BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_usage_uploads_delete AFTER DELETE ON usage_uploads BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
-- Company profiles and their partner and linked enterprises decide the SME categories reports count.
CREATE TRIGGER page_state_company_profiles_insert AFTER INSERT ON company_profiles BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_company_profiles_update AFTER UPDATE ON company_profiles BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_company_profiles_delete AFTER DELETE ON company_profiles BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_company_associates_insert AFTER INSERT ON company_associates BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_company_associates_update AFTER UPDATE ON company_associates BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_company_associates_delete AFTER DELETE ON company_associates BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
