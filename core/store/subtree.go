package store

import "fmt"

// InSubtree is the SQL predicate "code lies in the subtree of root, root itself included": the
// twin of division.Contains, which states the rule, for queries that must decide it in the
// database. root and code are SQL expressions of type text (columns or parameters, never user
// input). A country root contains every code; a province the codes sharing its first 2 digits, a
// city its first 4, a district its 6; any other root (a street, a malformed code) only itself.
func InSubtree(root, code string) string {
	return fmt.Sprintf(`(%[1]s = %[2]s OR (%[1]s ~ '^[0-9]{6}$' AND starts_with(%[2]s, left(%[1]s,
		CASE WHEN %[1]s = '000000' THEN 0 WHEN right(%[1]s, 4) = '0000' THEN 2 WHEN right(%[1]s, 2) = '00' THEN 4 ELSE 6 END))))`, root, code)
}
