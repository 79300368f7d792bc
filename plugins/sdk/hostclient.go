package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pluginv1 "github.com/fengqiao/fengqiao/plugins/sdk/proto/fengqiao/plugin/v1"
)

// HostError is an error the host answered a Host call with. Code is the gRPC status code's
// name ("NotFound", "PermissionDenied", "Aborted", "InvalidArgument", "Unauthenticated", …),
// Message the host's text, and Problem, for InvalidArgument, what was wrong with which field.
// It unwraps to the SDK's error of its code, so errors.Is(err, ErrInvalid) and the like work.
type HostError struct {
	Code    string
	Message string
	Problem *Problem
}

func (e *HostError) Error() string {
	if s := e.Unwrap(); s != nil {
		return fmt.Sprintf("%v: %s", s, e.Message)
	}
	return fmt.Sprintf("sdk: host: %s: %s", e.Code, e.Message)
}

// Unwrap maps the code to the SDK's errors; codes without one unwrap to the context's errors
// where they mean the same, else to nothing.
func (e *HostError) Unwrap() error {
	switch e.Code {
	case codes.NotFound.String():
		return ErrNotFound
	case codes.PermissionDenied.String():
		return ErrPermission
	case codes.Aborted.String():
		return ErrConflict
	case codes.AlreadyExists.String():
		return ErrExists
	case codes.InvalidArgument.String():
		return ErrInvalid
	case codes.Unauthenticated.String():
		return ErrCallFinished
	case codes.DeadlineExceeded.String():
		return context.DeadlineExceeded
	case codes.Canceled.String():
		return context.Canceled
	}
	return nil
}

// hostError converts the gRPC error of a Host call; other errors pass through.
func hostError(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	he := &HostError{Code: st.Code().String(), Message: st.Message()}
	for _, d := range st.Details() {
		if p, ok := d.(*pluginv1.Problem); ok {
			he.Problem = ProblemFromProto(p)
		}
	}
	return he
}

// errNoHost is what Host calls answer when the host never sent Init (its Host service is
// unknown); a host that follows the protocol always does before any other call.
var errNoHost = errors.New("sdk: the host has not connected its Host service (no Init)")

// hostClient is the Host of one call: every request carries that call's token and tenant.
type hostClient struct {
	c  pluginv1.HostServiceClient // nil before Init
	hc *pluginv1.HostCall
}

func (h *hostClient) ready() error {
	if h.c == nil {
		return errNoHost
	}
	return nil
}

// call is a fresh HostCall per request: generated messages must not be shared between
// concurrent requests of the same call.
func (h *hostClient) call() *pluginv1.HostCall {
	return &pluginv1.HostCall{CallToken: h.hc.GetCallToken(), Tenant: h.hc.GetTenant()}
}

func (h *hostClient) GetCase(ctx context.Context, id string, parties bool) (Case, error) {
	if err := h.ready(); err != nil {
		return Case{}, err
	}
	r, err := h.c.GetCase(ctx, &pluginv1.GetCaseRequest{Call: h.call(), CaseId: id, Parties: parties})
	if err != nil {
		return Case{}, hostError(err)
	}
	return ParseCase(r.GetCase())
}

func (h *hostClient) ListCases(ctx context.Context, q CaseQuery) (CasePage, error) {
	if err := h.ready(); err != nil {
		return CasePage{}, err
	}
	r, err := h.c.ListCases(ctx, &pluginv1.ListCasesRequest{
		Call: h.call(), Status: q.Status, CommitteeId: q.CommitteeID, After: q.After, Limit: uint32(max(q.Limit, 0)),
	})
	if err != nil {
		return CasePage{}, hostError(err)
	}
	page := CasePage{Next: r.GetNext()}
	for _, raw := range r.GetCases() {
		c, err := ParseCase(raw)
		if err != nil {
			return CasePage{}, err
		}
		page.Cases = append(page.Cases, c)
	}
	return page, nil
}

func (h *hostClient) ListOrganisations(ctx context.Context, kind string) ([]Organisation, error) {
	if err := h.ready(); err != nil {
		return nil, err
	}
	r, err := h.c.ListOrganisations(ctx, &pluginv1.ListOrganisationsRequest{Call: h.call(), Kind: kind})
	if err != nil {
		return nil, hostError(err)
	}
	var orgs []Organisation
	if err := unmarshalArray(r.GetOrganisations(), &orgs); err != nil {
		return nil, fmt.Errorf("sdk: organisations: %w", err)
	}
	return orgs, nil
}

func (h *hostClient) ListMediators(ctx context.Context, organisationID string) ([]Mediator, error) {
	if err := h.ready(); err != nil {
		return nil, err
	}
	r, err := h.c.ListMediators(ctx, &pluginv1.ListMediatorsRequest{Call: h.call(), OrganisationId: organisationID})
	if err != nil {
		return nil, hostError(err)
	}
	var ms []Mediator
	if err := unmarshalArray(r.GetMediators(), &ms); err != nil {
		return nil, fmt.Errorf("sdk: mediators: %w", err)
	}
	return ms, nil
}

func unmarshalArray(raw []byte, v any) error {
	if len(raw) == 0 {
		return nil
	}
	return json.Unmarshal(raw, v)
}

func (h *hostClient) AddCaseNote(ctx context.Context, caseID, text string, data any) (string, error) {
	if err := h.ready(); err != nil {
		return "", err
	}
	var raw []byte
	if data != nil {
		var err error
		if raw, err = json.Marshal(data); err != nil {
			return "", fmt.Errorf("sdk: note data: %w", err)
		}
	}
	r, err := h.c.AddCaseNote(ctx, &pluginv1.AddCaseNoteRequest{Call: h.call(), CaseId: caseID, Text: text, Data: raw})
	if err != nil {
		return "", hostError(err)
	}
	return r.GetEventId(), nil
}

func (h *hostClient) UpdateCaseFields(ctx context.Context, caseID string, fields map[string]any) (Case, error) {
	if err := h.ready(); err != nil {
		return Case{}, err
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return Case{}, fmt.Errorf("sdk: case fields: %w", err)
	}
	r, err := h.c.UpdateCaseFields(ctx, &pluginv1.UpdateCaseFieldsRequest{Call: h.call(), CaseId: caseID, Fields: raw})
	if err != nil {
		return Case{}, hostError(err)
	}
	return ParseCase(r.GetCase())
}

func (h *hostClient) LinkAgency(ctx context.Context, caseID, organisationID, reason string) (string, error) {
	if err := h.ready(); err != nil {
		return "", err
	}
	r, err := h.c.LinkAgency(ctx, &pluginv1.LinkAgencyRequest{Call: h.call(), CaseId: caseID, OrganisationId: organisationID, Reason: reason})
	if err != nil {
		return "", hostError(err)
	}
	return r.GetLinkId(), nil
}

func (h *hostClient) ShareCase(ctx context.Context, s Share) (string, error) {
	if err := h.ready(); err != nil {
		return "", err
	}
	r, err := h.c.ShareCase(ctx, &pluginv1.ShareCaseRequest{
		Call: h.call(), CaseId: s.CaseID, GranteeTenant: s.GranteeTenant, GranteeOrganisationId: s.GranteeOrganisationID,
		Scope: s.Scope, ExpiresAtUnixMs: toUnixMillis(s.ExpiresAt), Reason: s.Reason,
	})
	if err != nil {
		return "", hostError(err)
	}
	return r.GetShareId(), nil
}

func (h *hostClient) RevokeShare(ctx context.Context, caseID, shareID string) error {
	if err := h.ready(); err != nil {
		return err
	}
	_, err := h.c.RevokeShare(ctx, &pluginv1.RevokeShareRequest{Call: h.call(), CaseId: caseID, ShareId: shareID})
	return hostError(err)
}

func (h *hostClient) SetJoint(ctx context.Context, caseID string, j Joint) error {
	if err := h.ready(); err != nil {
		return err
	}
	_, err := h.c.SetJoint(ctx, &pluginv1.SetJointRequest{Call: h.call(), CaseId: caseID, JointId: j.ID, Lead: j.Lead, Tenants: j.Tenants})
	return hostError(err)
}

func (h *hostClient) Notify(ctx context.Context, n Notification) (string, error) {
	if err := h.ready(); err != nil {
		return "", err
	}
	r, err := h.c.Notify(ctx, &pluginv1.NotifyRequest{
		Call: h.call(), Recipient: n.Recipient, Title: n.Title, Body: n.Body, CaseId: n.CaseID, Kind: n.Kind,
	})
	if err != nil {
		return "", hostError(err)
	}
	return r.GetMessageId(), nil
}

func (h *hostClient) Stats(ctx context.Context, query string) (json.RawMessage, error) {
	if err := h.ready(); err != nil {
		return nil, err
	}
	r, err := h.c.GetStats(ctx, &pluginv1.GetStatsRequest{Call: h.call(), Query: query})
	if err != nil {
		return nil, hostError(err)
	}
	return json.RawMessage(r.GetStats()), nil
}

func (h *hostClient) Documents() Documents { return hostDocuments{h} }

type hostDocuments struct{ h *hostClient }

func (d hostDocuments) Put(ctx context.Context, doc Document, ifVersion int64) (Document, error) {
	if err := d.h.ready(); err != nil {
		return Document{}, err
	}
	r, err := d.h.c.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: d.h.call(), Document: documentToProto(doc), IfVersion: ifVersion})
	if err != nil {
		return Document{}, hostError(err)
	}
	return documentFromProto(r.GetDocument()), nil
}

func (d hostDocuments) Create(ctx context.Context, doc Document) (Document, error) {
	if err := d.h.ready(); err != nil {
		return Document{}, err
	}
	r, err := d.h.c.PutDocument(ctx, &pluginv1.PutDocumentRequest{Call: d.h.call(), Document: documentToProto(doc), IfAbsent: true})
	if err != nil {
		return Document{}, hostError(err)
	}
	return documentFromProto(r.GetDocument()), nil
}

func (d hostDocuments) Get(ctx context.Context, kind, id string) (Document, error) {
	if err := d.h.ready(); err != nil {
		return Document{}, err
	}
	r, err := d.h.c.GetDocument(ctx, &pluginv1.GetDocumentRequest{Call: d.h.call(), Kind: kind, Id: id})
	if err != nil {
		return Document{}, hostError(err)
	}
	return documentFromProto(r.GetDocument()), nil
}

func (d hostDocuments) List(ctx context.Context, kind, after string, limit int) ([]Document, string, error) {
	if err := d.h.ready(); err != nil {
		return nil, "", err
	}
	r, err := d.h.c.ListDocuments(ctx, &pluginv1.ListDocumentsRequest{Call: d.h.call(), Kind: kind, After: after, Limit: uint32(max(limit, 0))})
	if err != nil {
		return nil, "", hostError(err)
	}
	docs := make([]Document, 0, len(r.GetDocuments()))
	for _, pd := range r.GetDocuments() {
		docs = append(docs, documentFromProto(pd))
	}
	return docs, r.GetNext(), nil
}

func (d hostDocuments) Delete(ctx context.Context, kind, id string) (bool, error) {
	if err := d.h.ready(); err != nil {
		return false, err
	}
	r, err := d.h.c.DeleteDocument(ctx, &pluginv1.DeleteDocumentRequest{Call: d.h.call(), Kind: kind, Id: id})
	if err != nil {
		return false, hostError(err)
	}
	return r.GetDeleted(), nil
}

// RawHost is an escape hatch for the platform's own fault tests: it returns the Host service
// client and the HostCall (token and tenant) that call.Host sends, so that a test plugin can
// send requests the SDK never would (another tenant, a finished call's token) and check that
// the host refuses them. ok is false when call.Host is not the wire Host (sdktest's fake, or
// before Init). Plugins use call.Host; nothing else is supported.
func RawHost(call *Call) (client pluginv1.HostServiceClient, hc *pluginv1.HostCall, ok bool) {
	h, isWire := call.Host.(*hostClient)
	if !isWire || h.c == nil {
		return nil, nil, false
	}
	return h.c, h.call(), true
}

// WireHost is the Host a plugin's call gets over the wire, for client, a Host service, and hc,
// the call's token and tenant: RawHost's converse, for hosts' own tests (sdktest.HostContract
// run against the platform's Host service). Plugins use call.Host; nothing else is supported.
func WireHost(client pluginv1.HostServiceClient, hc *pluginv1.HostCall) Host {
	return &hostClient{c: client, hc: hc}
}
