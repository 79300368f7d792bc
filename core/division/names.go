package division

import catalogue "github.com/fengqiao/fengqiao/core/codes"

// TenantLevelNames names the levels a tenant may be at.
func TenantLevelNames() catalogue.Set {
	return catalogue.Of([]Level{LevelCountry, LevelProvince, LevelCity, LevelDistrict}, map[Level][2]string{
		LevelCountry: {"全国", "Country"}, LevelProvince: {"省级", "Province"}, LevelCity: {"市级", "City"}, LevelDistrict: {"区县", "District"}})
}
