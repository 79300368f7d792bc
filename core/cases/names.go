package cases

import "github.com/fengqiao/fengqiao/core/codes"

// The Chinese and English names of the case catalogues' codes, for the OpenAPI document,
// exports and sentences (预警等级为橙色, not orange). The codes come from the catalogues
// themselves; a code added there without its names here fails the catalogue test.

var statusNames = map[Status][2]string{
	StatusReceived: {"已受理", "Received"}, StatusAssigned: {"已分流", "Assigned"}, StatusMediating: {"调解中", "Mediating"},
	StatusSucceeded: {"调解成功", "Succeeded"}, StatusFailed: {"调解不成", "Failed"}, StatusGuided: {"不宜调解", "Guided elsewhere"},
	StatusClosed: {"已结案", "Closed"},
}

// StatusNames names the statuses, in lifecycle order.
func StatusNames() codes.Set { return codes.Of(Statuses(), statusNames) }

var sourceEN = map[Source]string{
	SourceWalkIn: "Walk-in", SourceHotline: "Telephone / 12348 hotline", SourceOnline: "Online application",
	SourceScreening: "Found by screening", SourceCourt: "Court (pre-filing or in litigation)", SourcePolice: "Police referral",
	SourceProcuratorate: "Procuratorate referral", SourcePetition: "Petition office referral", SourceDepartment: "Other department referral",
}

// SourceNames names the intake sources.
func SourceNames() codes.Set {
	out := make(codes.Set, len(sources))
	for i, s := range sources {
		en := sourceEN[s.Code]
		if en == "" {
			en = string(s.Code)
		}
		out[i] = codes.Name{Code: string(s.Code), ZH: s.NameZH, EN: en}
	}
	return out
}

var riskNames = map[RiskLevel][2]string{
	RiskNone: {"无", "None"}, RiskBlue: {"蓝色", "Blue"}, RiskYellow: {"黄色", "Yellow"}, RiskOrange: {"橙色", "Orange"}, RiskRed: {"红色", "Red"},
}

// RiskLevelNames names the warning levels, lowest first.
func RiskLevelNames() codes.Set { return codes.Of(RiskLevels(), riskNames) }

var actionNames = map[Action][2]string{
	ActionAssign: {"分流", "Assign to a committee"}, ActionTransfer: {"移送", "Transfer to another committee"},
	ActionStartMediation: {"开始调解", "Start mediation"}, ActionRecordSession: {"记录调解", "Record a session"},
	ActionSucceed: {"调解成功", "Record an agreement"}, ActionFail: {"调解不成", "Record a failure"},
	ActionGuide: {"引导至其他渠道", "Guide to another channel"}, ActionConfirm: {"司法确认", "Record judicial confirmation"},
	ActionRecordPerformed: {"记录履行", "Record performance"}, ActionRecordRecant: {"记录反悔", "Record a recantation"},
	ActionFollowUp: {"回访", "Record a follow-up"}, ActionReopen: {"重新调解", "Reopen"}, ActionClose: {"结案", "Close"},
	ActionAdjustRisk: {"调整预警等级", "Adjust the warning level"}, ActionEdit: {"更正受理信息", "Correct the intake"},
	ActionRecordContact:       {"记录联系当事人", "Record the first contact"},
	ActionCorrectConfirmation: {"更正司法确认", "Correct the judicial confirmation"},
	ActionExtendTimeLimit:     {"延长法院委派委托调解期限", "Extend the court time limit"},
}

// ActionNames names the given actions.
func ActionNames(list []Action) codes.Set { return codes.Of(list, actionNames) }

var channelNames = map[Channel][2]string{
	ChannelArbitration: {"仲裁", "Arbitration"}, ChannelReconsider: {"行政复议", "Administrative reconsideration"},
	ChannelRuling: {"行政裁决", "Administrative ruling"}, ChannelLitigation: {"诉讼", "Litigation"},
	ChannelPetition: {"信访", "Petition"}, ChannelOtherDepartment: {"其他部门", "Another department"},
}

// ChannelNames names the channels a case is guided to (outcome channels).
func ChannelNames() codes.Set { return codes.Of(channels, channelNames) }

var sessionModeNames = map[SessionMode][2]string{
	"in_person": {"当面", "In person"}, "phone": {"电话", "By phone"}, "online": {"网上", "Online"}, "video": {"视频", "By video"},
}

// SessionModeNames names how a session may be held.
func SessionModeNames() codes.Set { return codes.Of(sessionModes, sessionModeNames) }

var partyRoleNames = map[PartyRole][2]string{
	RoleApplicant: {"申请人", "Applicant"}, RoleRespondent: {"被申请人", "Respondent"}, RoleThird: {"第三人", "Third party"},
}

// PartyRoleNames names the parties' sides.
func PartyRoleNames() codes.Set {
	return codes.Of([]PartyRole{RoleApplicant, RoleRespondent, RoleThird}, partyRoleNames)
}

// PartyKindNames names the kinds of party.
func PartyKindNames() codes.Set {
	return codes.Of([]PartyKind{KindPerson, KindOrganisation}, map[PartyKind][2]string{
		KindPerson: {"自然人", "Person"}, KindOrganisation: {"单位", "Organisation"}})
}

// GenderNames names the genders derived from a resident ID number.
func GenderNames() codes.Set {
	return codes.Of([]string{"male", "female"}, map[string][2]string{"male": {"男", "Male"}, "female": {"女", "Female"}})
}

// AgreementFormNames names the forms of an agreement.
func AgreementFormNames() codes.Set {
	return codes.Of([]string{"written", "oral"}, map[string][2]string{"written": {"书面协议", "Written"}, "oral": {"口头协议", "Oral"}})
}

// DisputeTypeNames names the platform's dispute types (tenants may add their own codes).
func DisputeTypeNames() codes.Set {
	out := make(codes.Set, len(builtInTypes))
	for i, t := range builtInTypes {
		out[i] = codes.Name{Code: t.Code, ZH: t.NameZH, EN: t.NameEN}
	}
	return out
}

var transferStatusNames = map[string][2]string{
	TransferProposed: {"待对方接收", "Proposed"}, TransferAccepted: {"已接收", "Accepted"}, TransferDeclined: {"已拒绝", "Declined"},
}

// TransferStatusNames names the states of a transfer between districts.
func TransferStatusNames() codes.Set {
	return codes.Of([]string{TransferProposed, TransferAccepted, TransferDeclined}, transferStatusNames)
}

var performanceNameTable = map[Performance][2]string{
	PerformancePerformed: {"履行完毕", "Performed"}, PerformancePartly: {"部分履行", "Partly performed"},
	PerformanceNot: {"未履行", "Not performed"}, PerformanceRecanted: {"反悔", "Recanted"},
}

// PerformanceNames names the results of an agreement's performance (履行情况), in order.
func PerformanceNames() codes.Set {
	return codes.Of([]Performance{PerformancePerformed, PerformancePartly, PerformanceNot, PerformanceRecanted}, performanceNameTable)
}

// FollowUpResultNames names what a follow-up visit finds: a performance, or no one reached.
func FollowUpResultNames() codes.Set {
	return append(PerformanceNames()[:3:3], codes.Name{Code: "unreachable", ZH: "联系不上", EN: "Unreachable"})
}

// CourtKindNames names the kinds of a court referral (CourtKinds).
func CourtKindNames() codes.Set {
	return codes.Of(CourtKinds, map[string][2]string{"pre_filing": {"诉前委派", "Pre-filing (entrusted before filing)"}, "in_litigation": {"诉中委托", "In litigation (entrusted by the judge)"}})
}
