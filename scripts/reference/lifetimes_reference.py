#!/usr/bin/env python
"""Independent reference numbers for Retain's BG/NBD, Gamma-Gamma and CLV, computed with lifetimes 0.11.3 (the
peers venv, not Retain). Writes Tests/RetainAnalyticsTests/Fixtures/lifetimes_reference.json, which
BGNBDModelTests, GammaGammaModelTests and ModelNumericsTests (customer value) compare with.

Data: ../shared/data/cdnow_sample_2357.csv.gz, the 1-in-10 CDNOW sample of the BG/NBD paper (Fader, Hardie & Lee
2005). Per customer, in weeks:
  * a transaction = a customer-day (several rows of one customer on one day are one transaction; the day's money is
    the sum of its rows, zero-dollar rows included);
  * calibration = every day up to 1997-09-30 inclusive; x = calibration days after the first;
  * t_x = (last calibration day - first day) / 7;  T = (1997-09-30 - first day) / 7.
    This T (days to 1997-09-30, not to 1997-10-01) reproduces the published r = 0.243, alpha = 4.414, a = 0.793,
    b = 2.426, LL = -9582.4; counting 1997-09-30 as a whole day (T + 1/7) gives LL = -9589.9.
  * m = mean money of the calibration repeat days (the first day is left out, as the Gamma-Gamma model expects).

lifetimes' customer_lifetime_value(time=months, discount_rate=monthly rate, freq="W") sums, for i = 1..months,
m * (E[Y(4.345 i)] - E[Y(4.345 (i - 1))]) / (1 + rate)^i, with E[Y(t)] the conditional expected purchases in weeks:
a month is 4.345 weeks and the rate is per month. Retain's CustomerValue.predicted takes a yearly rate and a
horizon in the model's unit; the two agree with horizon = 4.345 * months, steps = months,
unitsPerYear = 12 * 4.345 and yearly rate = (1 + monthly)^12 - 1 (the fixture records these).

Usage: /tmp/retain-peers/bin/python scripts/reference/lifetimes_reference.py   (from anywhere)
Create the venv first if needed: bash ../shared/bench/setup-peers.sh /tmp/retain-peers
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
import lifetimes
from lifetimes import BetaGeoFitter, GammaGammaFitter

warnings.simplefilter("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(ROOT), "shared", "data", "cdnow_sample_2357.csv.gz")
OUT = os.path.join(ROOT, "Tests", "RetainAnalyticsTests", "Fixtures", "lifetimes_reference.json")
CALIBRATION_END = pd.Timestamp("1997-09-30")
MONTHS, MONTHLY_RATE, WEEKS_PER_MONTH = 12, 0.01, 4.345
# Customers chosen to cover x = 0, 1, a few and many, recent and long-silent buyers (ids of the sample, 1..2357).
CHOSEN = [1, 2, 3, 4, 5, 18, 61, 157, 1005, 1516, 2261, 2357]


def histories():
    rows = pd.read_csv(DATA, dtype={"date": str})
    rows["day"] = pd.to_datetime(rows["date"].str.replace("-", ""), format="%Y%m%d")
    days = rows.groupby(["customer_id", "day"], as_index=False)["dollar_value"].sum()
    calibration = days[days["day"] <= CALIBRATION_END].sort_values(["customer_id", "day"])
    first = calibration.groupby("customer_id")["day"].min()
    last = calibration.groupby("customer_id")["day"].max()
    count = calibration.groupby("customer_id")["day"].count()
    repeat = calibration[calibration["day"] > calibration["customer_id"].map(first)]
    money = repeat.groupby("customer_id")["dollar_value"].mean().reindex(first.index).fillna(0.0)
    summary = pd.DataFrame({
        "frequency": (count - 1).astype(float),
        "recency": (last - first).dt.days / 7.0,
        "T": (CALIBRATION_END - first).dt.days / 7.0,
        "monetary": money,
    })
    holdout = days[(days["day"] > CALIBRATION_END) & (days["day"] <= pd.Timestamp("1998-06-30"))]
    return summary, len(holdout)


def total_log_likelihood(f, r, T, params):
    n = len(f)
    nll = BetaGeoFitter._negative_log_likelihood(np.log(np.asarray(params, dtype=float)), f.astype(int), r, T,
                                                 np.ones(n), 0.0)
    return float(-nll * n)


def main():
    summary, holdout_days = histories()
    f, r, T, m = (summary[c].to_numpy() for c in ["frequency", "recency", "T", "monetary"])
    bgf = BetaGeoFitter().fit(f, r, T)
    params = [float(bgf.params_[k]) for k in ["r", "alpha", "a", "b"]]
    spenders = (f > 0) & (m > 0)
    ggf = GammaGammaFitter().fit(f[spenders], m[spenders])
    gg = [float(ggf.params_[k]) for k in ["p", "q", "v"]]
    gg_ll = float(-ggf._negative_log_likelihood(np.log(gg), f[spenders], m[spenders], np.ones(spenders.sum()), 0.0)
                  * spenders.sum())

    chosen = summary.loc[CHOSEN]
    cf, cr, cT, cm = (chosen[c].to_numpy() for c in ["frequency", "recency", "T", "monetary"])
    clv = ggf.customer_lifetime_value(bgf, chosen["frequency"], chosen["recency"], chosen["T"], chosen["monetary"],
                                      time=MONTHS, discount_rate=MONTHLY_RATE, freq="W")
    customers = []
    for i, cid in enumerate(CHOSEN):
        customers.append({
            "id": int(cid), "frequency": float(cf[i]), "recency": float(cr[i]), "age": float(cT[i]),
            "monetary": float(cm[i]),
            "probabilityAlive": float(bgf.conditional_probability_alive(cf[i], cr[i], cT[i])[0]),
            "expected39": float(bgf.conditional_expected_number_of_purchases_up_to_time(39.0, cf[i], cr[i], cT[i])),
            "expected52": float(bgf.conditional_expected_number_of_purchases_up_to_time(52.0, cf[i], cr[i], cT[i])),
            "expectedAverageValue": float(ggf.conditional_expected_average_profit(cf[i], cm[i])),
            "customerLifetimeValue": float(clv.iloc[i]),
        })
    other_points = [[0.5, 6.0, 1.2, 3.3], [0.1, 1.0, 0.3, 5.0], [2.0, 20.0, 3.0, 1.5]]
    reference = {
        "source": "lifetimes " + lifetimes.__version__ + " on ../shared/data/cdnow_sample_2357.csv.gz "
                  "(scripts/reference/lifetimes_reference.py)",
        "customers": int(len(f)),
        "repeatTransactions": float(f.sum()),
        "holdoutRepeatTransactions": int(holdout_days),
        "bgnbd": {
            "r": params[0], "alpha": params[1], "a": params[2], "b": params[3],
            "logLikelihood": total_log_likelihood(f, r, T, params),
            "standardErrors": {k: float(bgf.standard_errors_[k]) for k in ["r", "alpha", "a", "b"]},
            "expectedPurchases": {str(t): float(bgf.expected_number_of_purchases_up_to_time(float(t)))
                                  for t in [1, 39, 52, 78]},
            "holdoutPrediction": float(np.sum(bgf.conditional_expected_number_of_purchases_up_to_time(39.0, f, r, T))),
            "logLikelihoodAt": [{"parameters": p, "logLikelihood": total_log_likelihood(f, r, T, p)}
                                for p in other_points],
        },
        "gammaGamma": {
            "p": gg[0], "q": gg[1], "v": gg[2], "customers": int(spenders.sum()), "logLikelihood": gg_ll,
            "standardErrors": {k: float(ggf.standard_errors_[k]) for k in ["p", "q", "v"]},
        },
        "customerLifetimeValue": {
            "months": MONTHS, "monthlyDiscountRate": MONTHLY_RATE, "weeksPerMonth": WEEKS_PER_MONTH,
            "horizonWeeks": MONTHS * WEEKS_PER_MONTH, "steps": MONTHS, "unitsPerYear": 12 * WEEKS_PER_MONTH,
            "yearlyDiscountRate": (1 + MONTHLY_RATE) ** 12 - 1,
        },
        "chosenCustomers": customers,
    }
    with open(OUT, "w") as out:
        json.dump(reference, out, indent=1)
        out.write("\n")
    print(f"wrote {OUT}: BG/NBD {params}, LL {reference['bgnbd']['logLikelihood']:.4f}; Gamma-Gamma {gg}")


if __name__ == "__main__":
    main()
