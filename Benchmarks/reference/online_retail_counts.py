#!/usr/bin/env python3
"""Independent count of the UCI Online Retail file under the import rules of docs/import.md (standard library only).

Rules, in this order per row: exact duplicate of an earlier row; no CustomerID; unit price 0 after rounding half to
even to pence; invoices starting with C are cancellations; other negative quantities are write-offs.
The numbers it prints are the ones `retain import orders --preset online-retail` must report (tested in
Tests/RetainCLITests/RealDataImportTests.swift).
Usage: python3 Benchmarks/reference/online_retail_counts.py [FILE]
"""
import sys
import csv, gzip
from decimal import Decimal, ROUND_HALF_EVEN
path=sys.argv[1] if len(sys.argv)>1 else '../shared/data/online_retail_uci352_2010-12_2011-12.csv.gz'
rows=list(csv.reader(gzip.open(path,'rt',encoding='utf-8')))
hdr,rows=rows[0],rows[1:]
seen=set(); dup=0; nocust=0; zero=0; neg=0
orders=set(); cancels=set(); cust=set(); cancel_rows=0
for r in rows:
    t=tuple(r)
    if t in seen: dup+=1; continue
    seen.add(t)
    if not r[6].strip(): nocust+=1; continue
    p=Decimal(r[5]).quantize(Decimal('0.01'),rounding=ROUND_HALF_EVEN)
    if p==0: zero+=1; continue
    q=int(r[3])
    if r[0].startswith('C'): cancels.add(r[0]); cancel_rows+=1; continue
    if q<0: neg+=1; continue
    orders.add(r[0]); cust.add(r[6])
print(len(rows),'dup',dup,'nocust',nocust,'zero',zero,'neg',neg,'orders',len(orders),'cancel invoices',len(cancels),'cancel rows',cancel_rows,'customers with orders',len(cust))
