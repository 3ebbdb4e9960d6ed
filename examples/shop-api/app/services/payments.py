import requests

STRIPE = "https://api.stripe.com/v1"


def charge(amount: int, token: str) -> dict:
    response = requests.post(f"{STRIPE}/charges", data={"amount": amount, "source": token}, timeout=10)
    response.raise_for_status()
    return response.json()


def refund(charge_id: str) -> dict:
    return requests.post(f"{STRIPE}/refunds", data={"charge": charge_id}, timeout=10).json()
