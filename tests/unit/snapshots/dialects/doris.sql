-- bool_eq
SELECT COUNT(*) FROM customers AS c WHERE (c.`credit_granted` = TRUE);

-- bool_ne
SELECT COUNT(*) FROM customers AS c WHERE (c.`credit_drawn` <> TRUE);

-- granted_not_drawn
SELECT COUNT(*) FROM customers AS c WHERE ((c.`credit_granted` = TRUE) AND (c.`credit_drawn` = FALSE));

-- int_between
SELECT COUNT(*) FROM customers AS c WHERE (c.`age` BETWEEN 25 AND 35);

-- float_gte
SELECT COUNT(*) FROM customers AS c WHERE (c.`aum` >= 50000.5);

-- nullable_int_lte
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`last_login_days` IS NULL AND c.`last_login_days` <= 29);

-- not_nullable_int_lte
SELECT COUNT(*) FROM customers AS c WHERE (NOT (NOT c.`last_login_days` IS NULL AND c.`last_login_days` <= 29));

-- int_in
SELECT COUNT(*) FROM customers AS c WHERE (c.`birthday_month` IN (1, 2, 3));

-- nullable_int_eq
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`card_bill_day` IS NULL AND c.`card_bill_day` = 10);

-- int_ne
SELECT COUNT(*) FROM customers AS c WHERE (c.`app_active_days_30` <> 0);

-- category_in
SELECT COUNT(*) FROM customers AS c WHERE (c.`city` IN ('上海', '北京', '深圳'));

-- nullable_category_eq
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`preferred_channel` IS NULL AND c.`preferred_channel` = '网点柜面');

-- nullable_category_ne
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`occupation` IS NULL AND c.`occupation` <> '学生');

-- not_nullable_category_in
SELECT COUNT(*) FROM customers AS c WHERE (NOT (NOT c.`preferred_channel` IS NULL AND c.`preferred_channel` IN ('移动端')));

-- ordered_gte
SELECT COUNT(*) FROM customers AS c WHERE (c.`value_tier` IN ('V3', 'V4', 'V5'));

-- ordered_nullable_between
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`risk_level` IS NULL AND c.`risk_level` IN ('C2', 'C3', 'C4'));

-- ordered_nullable_lte
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`risk_level` IS NULL AND c.`risk_level` IN ('C1', 'C2'));

-- exists
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`credit_limit` IS NULL);

-- not_exists
SELECT COUNT(*) FROM customers AS c WHERE (NOT (NOT c.`risk_level` IS NULL));

-- nullable_date_within_days
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`last_txn_date` IS NULL AND c.`last_txn_date` BETWEEN CAST('2025-05-31' AS DATE) AND CAST('2025-06-30' AS DATE));

-- date_between
SELECT COUNT(*) FROM customers AS c WHERE (c.`account_open_date` BETWEEN CAST('2020-01-01' AS DATE) AND CAST('2023-12-31' AS DATE));

-- nullable_date_gte
SELECT COUNT(*) FROM customers AS c WHERE (NOT c.`risk_test_expiry` IS NULL AND c.`risk_test_expiry` >= CAST('2025-06-30' AS DATE));

-- date_lte
SELECT COUNT(*) FROM customers AS c WHERE (c.`account_open_date` <= CAST('2015-01-01' AS DATE));

-- or_nested
SELECT COUNT(*) FROM customers AS c WHERE ((c.`has_wealth` = TRUE) OR (c.`has_fund` = TRUE) OR ((c.`wealth_maturing_90d` >= 50000) AND (NOT (c.`complaint_12m` = TRUE))));

-- not_contacted_sms_7
SELECT COUNT(*) FROM customers AS c WHERE (NOT EXISTS(SELECT 1 FROM contact_history AS h WHERE h.customer_id = c.customer_id AND h.channel = 'sms' AND h.contacted_at >= CAST('2025-06-23 00:00:00' AS DATETIME)));

-- contacted_push_14
SELECT COUNT(*) FROM customers AS c WHERE (NOT (NOT EXISTS(SELECT 1 FROM contact_history AS h WHERE h.customer_id = c.customer_id AND h.channel = 'push' AND h.contacted_at >= CAST('2025-06-16 00:00:00' AS DATETIME))));

-- mixed
SELECT COUNT(*) FROM customers AS c WHERE (((c.`city` IN ('广州', '成都')) OR (c.`city_tier` = '一线')) AND (NOT ((c.`is_student` = TRUE) OR (c.`age` <= 22))) AND (NOT EXISTS(SELECT 1 FROM contact_history AS h WHERE h.customer_id = c.customer_id AND h.channel = 'call_script' AND h.contacted_at >= CAST('2025-05-31 00:00:00' AS DATETIME))) AND (c.`mobile_txn_count_30` BETWEEN 1 AND 19));

