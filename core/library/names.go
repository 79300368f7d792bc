package library

import "github.com/fengqiao/fengqiao/core/codes"

// StatusNames names the review statuses of library entries.
func StatusNames() codes.Set {
	return codes.Of(Statuses(), map[Status][2]string{
		StatusSubmitted: {"待审核", "Submitted"}, StatusPublished: {"已发布", "Published"}, StatusRejected: {"已退回", "Rejected"}})
}

// DecisionNames names the decisions of a review.
func DecisionNames() codes.Set {
	return codes.Of([]string{DecisionPublish, DecisionReject}, map[string][2]string{
		DecisionPublish: {"发布", "Publish"}, DecisionReject: {"退回", "Reject"}})
}
