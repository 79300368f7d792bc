package store

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"

	"github.com/fengqiao/fengqiao/core/orgs"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The registry of a district (core/orgs): organisations, mediators and experts. Every write is
// one transaction acting for the tenant, audited with the record before and after.

const orgColumns = `id::text, tenant_id, kind, name, street_code, village_code, industry, stationed_at, mediator_name,
	contact, webhook_url, status, created_at, updated_at`

func scanOrganisation(row pgx.Row) (orgs.Organisation, error) {
	var (
		o            orgs.Organisation
		kind, status string
		contact      []byte
	)
	err := row.Scan(&o.ID, &o.TenantCode, &kind, &o.Name, &o.StreetCode, &o.VillageCode, &o.Industry, &o.StationedAt,
		&o.MediatorName, &contact, &o.WebhookURL, &status, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return o, err
	}
	o.Kind, o.Status = orgs.Kind(kind), orgs.Status(status)
	return o, json.Unmarshal(contact, &o.Contact)
}

const mediatorColumns = `id::text, tenant_id, name, kind, certificate_number, grade, chief, specialities, organisation_id::text,
	phone, status, credit_score, coalesce(user_id::text, ''), created_at, updated_at`

func scanMediator(row pgx.Row) (orgs.Mediator, error) {
	var (
		m            orgs.Mediator
		kind, status string
	)
	err := row.Scan(&m.ID, &m.TenantCode, &m.Name, &kind, &m.CertificateNumber, &m.Grade, &m.Chief, &m.Specialities,
		&m.OrganisationID, &m.Phone, &status, &m.CreditScore, &m.UserID, &m.CreatedAt, &m.UpdatedAt)
	m.Kind, m.Status = orgs.MediatorKind(kind), orgs.Status(status)
	return m, err
}

const expertColumns = `id::text, tenant_id, name, field, specialities, organisation, phone, note, status, created_at, updated_at`

func scanExpert(row pgx.Row) (orgs.Expert, error) {
	var (
		e      orgs.Expert
		status string
	)
	err := row.Scan(&e.ID, &e.TenantCode, &e.Name, &e.Field, &e.Specialities, &e.Organisation, &e.Phone, &e.Note, &status,
		&e.CreatedAt, &e.UpdatedAt)
	e.Status = orgs.Status(status)
	return e, err
}

// Audit views: the record as the audit trail shows it before and after a change.

func orgAudit(o orgs.Organisation) map[string]any {
	return map[string]any{"kind": o.Kind, "name": o.Name, "street_code": o.StreetCode, "village_code": o.VillageCode,
		"industry": o.Industry, "stationed_at": o.StationedAt, "mediator_name": o.MediatorName, "contact": o.Contact,
		"webhook_url": o.WebhookURL, "status": o.Status}
}

func mediatorAudit(m orgs.Mediator) map[string]any {
	return map[string]any{"name": m.Name, "kind": m.Kind, "certificate_number": m.CertificateNumber, "grade": m.Grade,
		"chief": m.Chief, "specialities": specList(m.Specialities), "organisation_id": m.OrganisationID, "phone": m.Phone,
		"status": m.Status, "credit_score": m.CreditScore, "user_id": m.UserID}
}

func expertAudit(e orgs.Expert) map[string]any {
	return map[string]any{"name": e.Name, "field": e.Field, "specialities": specList(e.Specialities),
		"organisation": e.Organisation, "phone": e.Phone, "note": e.Note, "status": e.Status}
}

func specList(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// notFound reports a missing record, also for an id PostgreSQL cannot read as a uuid (22P02).
func notFound(err error, resource string) error {
	if isNoRows(err) || pgCode(err) == codeInvalidText {
		return &orgs.NotFoundError{Resource: resource}
	}
	return err
}

// orgNameErr turns the violation of the active-name index into orgs.ErrNameTaken.
func orgNameErr(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation && pgErr.ConstraintName == "organisations_active_name" {
		return orgs.ErrNameTaken
	}
	return err
}

// listQuery builds the listing of a registry table: filters, then the (name, id) cursor.
type listQuery struct {
	sql  string
	args []any
}

func newListQuery(columns, table, kindColumn, tenantCode string, f orgs.Filter) *listQuery {
	l := &listQuery{sql: "SELECT " + columns + " FROM " + table + " WHERE tenant_id = $1", args: []any{tenantCode}}
	if f.Subtree {
		// The tenants' registries below are readable from here (policy subtree_read).
		l.sql = "SELECT " + columns + " FROM " + table + " WHERE tenant_id IN (SELECT code FROM tenants WHERE ancestors @> ARRAY[$1::text])"
	}
	if f.Kind != "" {
		l.where(kindColumn+" = $?", f.Kind)
	}
	if f.Status != "" {
		l.where("status = $?", string(f.Status))
	}
	if f.Query != "" {
		l.where("name ILIKE $?", "%"+escapeLike(f.Query)+"%")
	}
	return l
}

func (l *listQuery) where(cond string, v any) {
	l.args = append(l.args, v)
	l.sql += " AND " + replaceArg(cond, len(l.args))
}

func (l *listQuery) page(f orgs.Filter) (string, []any) {
	if f.AfterID != "" {
		l.args = append(l.args, f.AfterName, f.AfterID)
		l.sql += " AND (name, id) > (" + replaceArg("$?", len(l.args)-1) + ", " + replaceArg("$?::uuid", len(l.args)) + ")"
	}
	l.args = append(l.args, f.Limit)
	return l.sql + " ORDER BY name, id LIMIT " + replaceArg("$?", len(l.args)), l.args
}

// listErr reports a cursor id PostgreSQL cannot read (the API checks it first).
func listErr(err error) error {
	if pgCode(err) == codeInvalidText {
		return errors.Join(&orgs.ValidationError{Errors: []orgs.FieldError{{Field: "after", Message: "游标无效 / invalid cursor"}}}, err)
	}
	return err
}

// CreateOrganisation registers an organisation; see orgs.Repo.
func (s *OrgDB) CreateOrganisation(ctx context.Context, o orgs.Organisation) (orgs.Organisation, error) {
	var out orgs.Organisation
	err := s.inTenant(ctx, o.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, o.TenantCode); err != nil {
			return err
		}
		contact, err := json.Marshal(o.Contact)
		if err != nil {
			return err
		}
		out, err = scanOrganisation(tx.QueryRow(ctx, `INSERT INTO organisations (tenant_id, id, kind, name, street_code, village_code,
				industry, stationed_at, mediator_name, contact, webhook_url, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING `+orgColumns,
			o.TenantCode, o.ID, string(o.Kind), o.Name, o.StreetCode, o.VillageCode, o.Industry, o.StationedAt, o.MediatorName,
			contact, o.WebhookURL, string(o.Status)))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, o.TenantCode, "organisation.create", "organisation:"+out.ID, nil, orgAudit(out))
	})
	return out, orgNameErr(err)
}

func loadOrganisation(ctx context.Context, tx pgx.Tx, tenantCode, id, lock string) (orgs.Organisation, error) {
	o, err := scanOrganisation(tx.QueryRow(ctx, "SELECT "+orgColumns+" FROM organisations WHERE tenant_id = $1 AND id = $2"+lock, tenantCode, id))
	return o, notFound(err, orgs.ResourceOrganisation)
}

// Organisation returns an organisation of a tenant.
func (s *OrgDB) Organisation(ctx context.Context, tenantCode, id string) (orgs.Organisation, error) {
	var o orgs.Organisation
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		o, err = loadOrganisation(ctx, tx, tenantCode, id, "")
		return err
	})
	return o, err
}

// Organisations lists a tenant's organisations by name, then id, after the filter's cursor.
func (s *OrgDB) Organisations(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Organisation, error) {
	var out []orgs.Organisation
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		q, args := newListQuery(orgColumns, "organisations", "kind", tenantCode, f).page(f)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Organisation, error) { return scanOrganisation(r) })
		return err
	})
	return out, listErr(err)
}

// UpdateOrganisation applies a change to an organisation; see orgs.Repo.
func (s *OrgDB) UpdateOrganisation(ctx context.Context, tenantCode, id string, apply func(*orgs.Organisation) error) (orgs.Organisation, error) {
	var out orgs.Organisation
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		before, err := loadOrganisation(ctx, tx, tenantCode, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		o := before
		if err := apply(&o); err != nil {
			return err
		}
		if reflect.DeepEqual(orgAudit(before), orgAudit(o)) {
			out = before
			return nil
		}
		contact, err := json.Marshal(o.Contact)
		if err != nil {
			return err
		}
		out, err = scanOrganisation(tx.QueryRow(ctx, `UPDATE organisations SET name = $3, street_code = $4, village_code = $5,
				industry = $6, stationed_at = $7, mediator_name = $8, contact = $9, webhook_url = $10, status = $11, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING `+orgColumns,
			tenantCode, before.ID, o.Name, o.StreetCode, o.VillageCode, o.Industry, o.StationedAt, o.MediatorName, contact,
			o.WebhookURL, string(o.Status)))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "organisation.update", "organisation:"+out.ID, orgAudit(before), orgAudit(out))
	})
	return out, orgNameErr(err)
}

// orgLookup finds organisations of the tenant in tx, locked FOR SHARE: nobody deactivates the
// organisation a mediator joins before the mediator is stored.
func orgLookup(ctx context.Context, tx pgx.Tx, tenantCode string) orgs.OrgLookup {
	return func(id string) (*orgs.Organisation, error) {
		if uuid.Validate(id) != nil {
			return nil, nil // a malformed id would abort the transaction
		}
		o, err := loadOrganisation(ctx, tx, tenantCode, id, " FOR SHARE")
		var nf *orgs.NotFoundError
		if errors.As(err, &nf) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &o, nil
	}
}

// CreateMediator registers a mediator; see orgs.Repo.
func (s *OrgDB) CreateMediator(ctx context.Context, m orgs.Mediator, check func(orgs.OrgLookup) error) (orgs.Mediator, error) {
	var out orgs.Mediator
	err := s.inTenant(ctx, m.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, m.TenantCode); err != nil {
			return err
		}
		if err := check(orgLookup(ctx, tx, m.TenantCode)); err != nil {
			return err
		}
		if err := checkMediatorUser(ctx, tx, m.TenantCode, m.UserID); err != nil {
			return err
		}
		var err error
		out, err = scanMediator(tx.QueryRow(ctx, `INSERT INTO mediators (tenant_id, id, name, kind, certificate_number, grade, chief,
				specialities, organisation_id, phone, status, credit_score, user_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, '')::uuid) RETURNING `+mediatorColumns,
			m.TenantCode, m.ID, m.Name, string(m.Kind), m.CertificateNumber, m.Grade, m.Chief, specList(m.Specialities),
			m.OrganisationID, m.Phone, string(m.Status), m.CreditScore, m.UserID))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, m.TenantCode, "mediator.create", "mediator:"+out.ID, nil, mediatorAudit(out))
	})
	return out, mediatorUserErr(err)
}

// checkMediatorUser checks that a mediator's user account is an active user of its tenant.
func checkMediatorUser(ctx context.Context, tx pgx.Tx, tenantCode, userID string) error {
	if userID == "" {
		return nil
	}
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id::text = $2 AND status = 'active')`,
		tenantCode, userID).Scan(&ok)
	if err != nil {
		return err
	}
	if !ok {
		return orgs.UserError()
	}
	return nil
}

// mediatorUserErr turns the violation of the one-mediator-per-user index into orgs.ErrUserLinked.
func mediatorUserErr(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation && pgErr.ConstraintName == "mediators_user" {
		return orgs.ErrUserLinked
	}
	return err
}

// MediatorCounts counts the mediators of a tenant's subtree by tenant; see orgs.Repo.
func (s *OrgDB) MediatorCounts(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.MediatorCount, error) {
	var out []orgs.MediatorCount
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT t.code, t.name, count(m.id), count(m.id) FILTER (WHERE m.chief),
				count(m.id) FILTER (WHERE m.kind = 'full_time'), count(m.id) FILTER (WHERE m.kind = 'part_time'),
				count(m.id) FILTER (WHERE m.user_id IS NOT NULL)
			FROM tenants t JOIN mediators m ON m.tenant_id = t.code
				AND ($2 = '' OR m.status = $2) AND ($3 = '' OR m.kind = $3) AND ($4::boolean IS NULL OR m.chief = $4)
			WHERE t.ancestors @> ARRAY[$1::text]
			GROUP BY t.code, t.name ORDER BY t.code`, tenantCode, string(f.Status), f.Kind, f.Chief)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.MediatorCount, error) {
			var c orgs.MediatorCount
			return c, r.Scan(&c.TenantCode, &c.TenantName, &c.Total, &c.Chief, &c.FullTime, &c.PartTime, &c.Linked)
		})
		return err
	})
	return out, err
}

func loadMediator(ctx context.Context, tx pgx.Tx, tenantCode, id, lock string) (orgs.Mediator, error) {
	m, err := scanMediator(tx.QueryRow(ctx, "SELECT "+mediatorColumns+" FROM mediators WHERE tenant_id = $1 AND id = $2"+lock, tenantCode, id))
	return m, notFound(err, orgs.ResourceMediator)
}

// Mediator returns a mediator of a tenant.
func (s *OrgDB) Mediator(ctx context.Context, tenantCode, id string) (orgs.Mediator, error) {
	var m orgs.Mediator
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		m, err = loadMediator(ctx, tx, tenantCode, id, "")
		return err
	})
	return m, err
}

// Mediators lists a tenant's mediators by name, then id, after the filter's cursor.
func (s *OrgDB) Mediators(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Mediator, error) {
	var out []orgs.Mediator
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		l := newListQuery(mediatorColumns, "mediators", "kind", tenantCode, f)
		if f.OrganisationID != "" {
			l.where("organisation_id = $?::uuid", f.OrganisationID)
		}
		if f.Speciality != "" {
			l.where("$? = ANY (specialities)", f.Speciality)
		}
		if f.Chief != nil {
			l.where("chief = $?", *f.Chief)
		}
		q, args := l.page(f)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Mediator, error) { return scanMediator(r) })
		return err
	})
	return out, listErr(err)
}

// UpdateMediator applies a change to a mediator; see orgs.Repo.
func (s *OrgDB) UpdateMediator(ctx context.Context, tenantCode, id string, apply func(*orgs.Mediator, orgs.OrgLookup) error) (orgs.Mediator, error) {
	var out orgs.Mediator
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		before, err := loadMediator(ctx, tx, tenantCode, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		m := before
		m.Specialities = append([]string{}, before.Specialities...)
		if err := apply(&m, orgLookup(ctx, tx, tenantCode)); err != nil {
			return err
		}
		if reflect.DeepEqual(mediatorAudit(before), mediatorAudit(m)) {
			out = before
			return nil
		}
		if m.UserID != before.UserID {
			if err := checkMediatorUser(ctx, tx, tenantCode, m.UserID); err != nil {
				return err
			}
		}
		out, err = scanMediator(tx.QueryRow(ctx, `UPDATE mediators SET name = $3, kind = $4, certificate_number = $5, grade = $6,
				chief = $7, specialities = $8, organisation_id = $9, phone = $10, status = $11, credit_score = $12,
				user_id = nullif($13, '')::uuid, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING `+mediatorColumns,
			tenantCode, before.ID, m.Name, string(m.Kind), m.CertificateNumber, m.Grade, m.Chief, specList(m.Specialities),
			m.OrganisationID, m.Phone, string(m.Status), m.CreditScore, m.UserID))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "mediator.update", "mediator:"+out.ID, mediatorAudit(before), mediatorAudit(out))
	})
	return out, mediatorUserErr(err)
}

// CreateExpert adds an expert to a tenant's pool.
func (s *OrgDB) CreateExpert(ctx context.Context, e orgs.Expert) (orgs.Expert, error) {
	var out orgs.Expert
	err := s.inTenant(ctx, e.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, e.TenantCode); err != nil {
			return err
		}
		var err error
		out, err = scanExpert(tx.QueryRow(ctx, `INSERT INTO experts (tenant_id, id, name, field, specialities, organisation, phone, note, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+expertColumns,
			e.TenantCode, e.ID, e.Name, e.Field, specList(e.Specialities), e.Organisation, e.Phone, e.Note, string(e.Status)))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, e.TenantCode, "expert.create", "expert:"+out.ID, nil, expertAudit(out))
	})
	return out, err
}

func loadExpert(ctx context.Context, tx pgx.Tx, tenantCode, id, lock string) (orgs.Expert, error) {
	e, err := scanExpert(tx.QueryRow(ctx, "SELECT "+expertColumns+" FROM experts WHERE tenant_id = $1 AND id = $2"+lock, tenantCode, id))
	return e, notFound(err, orgs.ResourceExpert)
}

// Expert returns an expert of a tenant.
func (s *OrgDB) Expert(ctx context.Context, tenantCode, id string) (orgs.Expert, error) {
	var e orgs.Expert
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		var err error
		e, err = loadExpert(ctx, tx, tenantCode, id, "")
		return err
	})
	return e, err
}

// Experts lists a tenant's expert pool by name, then id, after the filter's cursor; the
// filter's Kind is the field.
func (s *OrgDB) Experts(ctx context.Context, tenantCode string, f orgs.Filter) ([]orgs.Expert, error) {
	var out []orgs.Expert
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		l := newListQuery(expertColumns, "experts", "field", tenantCode, f)
		if f.Speciality != "" {
			l.where("$? = ANY (specialities)", f.Speciality)
		}
		q, args := l.page(f)
		rows, err := tx.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (orgs.Expert, error) { return scanExpert(r) })
		return err
	})
	return out, listErr(err)
}

// UpdateExpert applies a change to an expert; see orgs.Repo.
func (s *OrgDB) UpdateExpert(ctx context.Context, tenantCode, id string, apply func(*orgs.Expert) error) (orgs.Expert, error) {
	var out orgs.Expert
	err := s.inTenant(ctx, tenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, tenantCode); err != nil {
			return err
		}
		before, err := loadExpert(ctx, tx, tenantCode, id, " FOR UPDATE")
		if err != nil {
			return err
		}
		e := before
		e.Specialities = append([]string{}, before.Specialities...)
		if err := apply(&e); err != nil {
			return err
		}
		if reflect.DeepEqual(expertAudit(before), expertAudit(e)) {
			out = before
			return nil
		}
		out, err = scanExpert(tx.QueryRow(ctx, `UPDATE experts SET name = $3, field = $4, specialities = $5, organisation = $6,
				phone = $7, note = $8, status = $9, updated_at = now()
			WHERE tenant_id = $1 AND id = $2 RETURNING `+expertColumns,
			tenantCode, before.ID, e.Name, e.Field, specList(e.Specialities), e.Organisation, e.Phone, e.Note, string(e.Status)))
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenantCode, "expert.update", "expert:"+out.ID, expertAudit(before), expertAudit(out))
	})
	return out, err
}

var _ orgs.Repo = (*Store)(nil)
