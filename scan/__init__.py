"""Detection models: run the stored Cypher models, grade, score and store warnings."""
