DROP TABLE review_scores;
DROP TABLE review_assignments;
DROP TABLE review_criteria;
DROP TABLE review_scales;
