package store

import "time"

// chinaTime is the time zone of case years: a case taken in at 00:30 on 1 January Beijing time
// belongs to the new year.
var chinaTime = time.FixedZone("CST", 8*60*60)
