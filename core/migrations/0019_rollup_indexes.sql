-- The 1-minute floor rollups keep their primary key (site_id, floor, metric, bucket)
-- only. The index on (site_id, metric, bucket) took its entries in another order than the
-- rows are written (by the primary key, a range of each floor's minutes at a time), so
-- each one landed somewhere else in it: 30 % of a backfill's time (issue 14, measured
-- 2026-12-02). What read across floors by it now reads each floor's range of the primary
-- key, the site's floors named (dashboards/panels.sql).
DROP INDEX IF EXISTS floor_rollup_1m_metric;
