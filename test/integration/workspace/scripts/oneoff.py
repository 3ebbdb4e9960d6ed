import time


async def excluded():
    time.sleep(5)
