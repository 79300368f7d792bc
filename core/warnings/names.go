package warnings

import "github.com/fengqiao/fengqiao/core/codes"

// StateNames names the warning states.
func StateNames() codes.Set {
	return codes.Of(States(), map[State][2]string{
		StateOpen: {"待签收", "Open"}, StateAcknowledged: {"已签收", "Acknowledged"}, StateEscalated: {"已报送上级", "Escalated"}})
}
