import joblib

model = joblib.load("models/recommender.joblib")


def score(features: list[float]) -> float:
    return float(model.predict([features])[0])
