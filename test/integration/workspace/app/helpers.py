import requests


def fetch_weather(city: str) -> dict:
    resp = requests.get(f"https://weather.example.com/{city}")
    return resp.json()
