DROP TABLE programme_cofunders;
