DROP TABLE de_minimis_awards;
DROP TABLE declared_aid;
DROP TABLE company_associates;
DROP TABLE company_profiles;
