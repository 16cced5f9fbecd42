// 证据关联 — Identity-resolution links of evidence payments
// model: (all) the link behind each evidence payment whose row had an invalid ID number
// The scan adds these to every warning's evidence, so that a payment counted for a
// person only through identity resolution shows the row's own ID value, the score and
// the reasons of the link (in the workbench and in packets).
// params: $pay_ids (LIST of STRING) evidence payments
// Keys come in as a list without repeats: UNWIND + a match on the key is a key lookup
// in both stores, where `IN $list` made LadybugDB test the list on every row of the label.
UNWIND $pay_ids AS key
MATCH (pay:Payment {pay_id: key})
WHERE pay.link_score IS NOT NULL
RETURN pay.pay_id AS pay_id, pay.id_number AS row_id_number, pay.link_score AS link_score,
       pay.link_reasons AS link_reasons
