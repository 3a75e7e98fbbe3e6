// placeholder replaced by the scan worker
