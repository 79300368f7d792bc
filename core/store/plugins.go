package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/fengqiao/fengqiao/core/plugins"
	"github.com/fengqiao/fengqiao/core/warnings"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// The plugin platform's tables (migration 00018): the catalog, enablements, each plugin's
// documents, job runs; and the queue jobs that deliver after-events and run scheduled jobs
// (inserted here, worked by core/jobs).

// pluginsChannel is the NOTIFY channel of catalog and enablement changes.
const pluginsChannel = "fengqiao_plugins"

// InstallPlugin records r in the catalog, replacing an installed version of the same name
// (kept as Previous). Audited in the platform's trail.
func (s *PluginDB) InstallPlugin(ctx context.Context, r plugins.Record) (plugins.Record, error) {
	m, err := json.Marshal(r.Manifest)
	if err != nil {
		return r, err
	}
	err = s.inTenant(ctx, rootTenant, func(tx pgx.Tx) error {
		var prev *plugins.Prior
		var p plugins.Prior
		err := tx.QueryRow(ctx, `SELECT version, sha256, path FROM plugins WHERE name = $1 FOR UPDATE`, r.Name).Scan(&p.Version, &p.SHA256, &p.Path)
		switch {
		case err == nil:
			prev = &p
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		r.Previous = prev
		if err := tx.QueryRow(ctx, `INSERT INTO plugins (name, version, sha256, path, protocol_version, manifest, installed_by, previous)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (name) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256, path = excluded.path,
				protocol_version = excluded.protocol_version, manifest = excluded.manifest, installed_by = excluded.installed_by,
				installed_at = now(), previous = excluded.previous
			RETURNING installed_at`, r.Name, r.Version, r.SHA256, r.Path, r.ProtocolVersion, m, r.InstalledBy, prev).Scan(&r.InstalledAt); err != nil {
			return err
		}
		return appendAudit(ctx, tx, rootTenant, "plugin.install", "plugin:"+r.Name, prev,
			map[string]any{"version": r.Version, "sha256": r.SHA256, "path": r.Path})
	})
	return r, err
}

// rootTenant is the country: the platform's own trail.
const rootTenant = "000000"

// Plugins lists the catalog by name.
func (s *PluginDB) Plugins(ctx context.Context) ([]plugins.Record, error) {
	rows, err := s.pool.Query(ctx, `SELECT name, version, sha256, path, protocol_version, manifest, installed_by, installed_at, previous
		FROM plugins ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (plugins.Record, error) {
		var r plugins.Record
		var m []byte
		if err := row.Scan(&r.Name, &r.Version, &r.SHA256, &r.Path, &r.ProtocolVersion, &m, &r.InstalledBy, &r.InstalledAt, &r.Previous); err != nil {
			return r, err
		}
		r.Manifest = &plugins.Manifest{}
		if err := json.Unmarshal(m, r.Manifest); err != nil {
			return r, fmt.Errorf("store: plugin %s: manifest: %w", r.Name, err)
		}
		return r, nil
	})
}

// PluginEnablements lists every enablement row: a platform read, acting for the country, whose
// subtree is every tenant (plugin_tenants is under row-level security).
func (s *PluginDB) PluginEnablements(ctx context.Context) ([]plugins.Enablement, error) {
	var out []plugins.Enablement
	err := s.inTenant(ctx, rootTenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT plugin, tenant_code, subtree, enabled, settings, permissions, mandatory, updated_by, updated_at
			FROM plugin_tenants ORDER BY plugin, tenant_code`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (plugins.Enablement, error) {
			var e plugins.Enablement
			return e, row.Scan(&e.Plugin, &e.TenantCode, &e.Subtree, &e.Enabled, &e.Settings, &e.Permissions, &e.Mandatory, &e.UpdatedBy, &e.UpdatedAt)
		})
		return err
	})
	return out, err
}

// SetPluginEnablement writes the enablement of a plugin for a tenant (or its subtree), audited
// in that tenant's trail. The tenant must be active.
func (s *PluginDB) SetPluginEnablement(ctx context.Context, e plugins.Enablement) (plugins.Enablement, error) {
	e.UpdatedBy = audit.ActorFrom(ctx).Subject
	err := s.inTenant(ctx, e.TenantCode, func(tx pgx.Tx) error {
		if _, err := activeTenant(ctx, tx, e.TenantCode); err != nil {
			return err
		}
		var before *plugins.Enablement
		var b plugins.Enablement
		err := tx.QueryRow(ctx, `SELECT subtree, enabled, settings, permissions, mandatory FROM plugin_tenants WHERE plugin = $1 AND tenant_code = $2 FOR UPDATE`,
			e.Plugin, e.TenantCode).Scan(&b.Subtree, &b.Enabled, &b.Settings, &b.Permissions, &b.Mandatory)
		switch {
		case err == nil:
			before = &b
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		err = tx.QueryRow(ctx, `INSERT INTO plugin_tenants (plugin, tenant_code, subtree, enabled, settings, permissions, mandatory, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (plugin, tenant_code) DO UPDATE SET subtree = excluded.subtree, enabled = excluded.enabled,
				settings = excluded.settings, permissions = excluded.permissions, mandatory = excluded.mandatory,
				updated_by = excluded.updated_by, updated_at = now()
			RETURNING updated_at`, e.Plugin, e.TenantCode, e.Subtree, e.Enabled, e.Settings, e.Permissions, e.Mandatory, e.UpdatedBy).Scan(&e.UpdatedAt)
		if pgCode(err) == codeFKViolation {
			return plugins.ErrNotInstalled
		}
		if err != nil {
			return err
		}
		action := "plugin.disable"
		if e.Enabled {
			action = "plugin.enable"
		}
		view := func(x *plugins.Enablement) any {
			if x == nil {
				return nil
			}
			return map[string]any{"subtree": x.Subtree, "enabled": x.Enabled, "settings": x.Settings, "permissions": x.Permissions, "mandatory": x.Mandatory}
		}
		return appendAudit(ctx, tx, e.TenantCode, action, "plugin:"+e.Plugin, view(before), view(&e))
	})
	return e, err
}

// WatchPlugins calls onChange whenever the catalog or an enablement changes (in any process),
// and once when it starts listening (and after each reconnect), until ctx ends.
func (s *PluginDB) WatchPlugins(ctx context.Context, onChange func()) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := func() error {
			// A connection of its own, outside the pool, as WatchPolicies.
			conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
			if err != nil {
				return err
			}
			defer conn.Close(context.WithoutCancel(ctx))
			if s.afterConnect != nil {
				if err := s.afterConnect(ctx, conn); err != nil {
					return err
				}
			}
			if _, err := conn.Exec(ctx, "LISTEN "+pluginsChannel); err != nil {
				return err
			}
			onChange()
			backoff = time.Second
			for {
				if _, err := conn.WaitForNotification(ctx); err != nil {
					return err
				}
				onChange()
			}
		}()
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("plugin catalog watch interrupted; reconnecting", "err", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// --- documents -------------------------------------------------------------------------------

// PutPluginDocument writes a document of plugin in tenant; with ifVersion > 0 only over that
// version (plugins.ErrConflict otherwise, also when it does not exist).
func (s *PluginDB) PutPluginDocument(ctx context.Context, tenant, plugin string, d plugins.Document, ifVersion int64) (plugins.Document, error) {
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		if ifVersion > 0 {
			err = tx.QueryRow(ctx, `UPDATE plugin_documents SET data = $5, version = version + 1, updated_at = now()
				WHERE tenant_id = $1 AND plugin = $2 AND kind = $3 AND id = $4 AND version = $6 RETURNING version, updated_at`,
				tenant, plugin, d.Kind, d.ID, d.Data, ifVersion).Scan(&d.Version, &d.UpdatedAt)
			if errors.Is(err, pgx.ErrNoRows) {
				return plugins.ErrConflict
			}
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO plugin_documents (tenant_id, plugin, kind, id, data) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, plugin, kind, id) DO UPDATE SET data = excluded.data,
				version = plugin_documents.version + 1, updated_at = now()
			RETURNING version, updated_at`, tenant, plugin, d.Kind, d.ID, d.Data).Scan(&d.Version, &d.UpdatedAt)
	})
	if c := pgCode(err); c == codeCheckViolation || c == codeInvalidText {
		return d, plugins.InvalidField("document", "种类须为小写字母开头（至多 64 位），编号 1–200 字符，数据为 JSON / kind must start with a lowercase letter (at most 64), id 1–200 characters, data JSON")
	}
	return d, err
}

// CreatePluginDocument writes a document only if none with its kind and id exists
// (plugins.ErrDocExists otherwise).
func (s *PluginDB) CreatePluginDocument(ctx context.Context, tenant, plugin string, d plugins.Document) (plugins.Document, error) {
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO plugin_documents (tenant_id, plugin, kind, id, data) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, plugin, kind, id) DO NOTHING RETURNING version, updated_at`, tenant, plugin, d.Kind, d.ID, d.Data).Scan(&d.Version, &d.UpdatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return plugins.ErrDocExists
		}
		return err
	})
	if c := pgCode(err); c == codeCheckViolation || c == codeInvalidText {
		return d, plugins.InvalidField("document", "种类须为小写字母开头（至多 64 位），编号 1–200 字符，数据为 JSON / kind must start with a lowercase letter (at most 64), id 1–200 characters, data JSON")
	}
	return d, err
}

// PluginDocument reads one document (plugins.ErrDocNotFound).
func (s *PluginDB) PluginDocument(ctx context.Context, tenant, plugin, kind, id string) (plugins.Document, error) {
	d := plugins.Document{Kind: kind, ID: id}
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT data, version, updated_at FROM plugin_documents
			WHERE tenant_id = $1 AND plugin = $2 AND kind = $3 AND id = $4`, tenant, plugin, kind, id).Scan(&d.Data, &d.Version, &d.UpdatedAt)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return d, plugins.ErrDocNotFound
	}
	return d, err
}

// PluginDocuments pages through a kind's documents in id order.
func (s *PluginDB) PluginDocuments(ctx context.Context, tenant, plugin, kind, after string, limit int) ([]plugins.Document, error) {
	var out []plugins.Document
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, data, version, updated_at FROM plugin_documents
			WHERE tenant_id = $1 AND plugin = $2 AND kind = $3 AND id > $4 ORDER BY id LIMIT $5`, tenant, plugin, kind, after, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (plugins.Document, error) {
			d := plugins.Document{Kind: kind}
			return d, row.Scan(&d.ID, &d.Data, &d.Version, &d.UpdatedAt)
		})
		return err
	})
	return out, err
}

// DeletePluginDocument deletes a document; false when there was none.
func (s *PluginDB) DeletePluginDocument(ctx context.Context, tenant, plugin, kind, id string) (bool, error) {
	var n int64
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM plugin_documents WHERE tenant_id = $1 AND plugin = $2 AND kind = $3 AND id = $4`, tenant, plugin, kind, id)
		n = tag.RowsAffected()
		return err
	})
	return n > 0, err
}

// AddCaseNote appends a note of the actor in ctx to a case's history ("note" event).
func (s *PluginDB) AddCaseNote(ctx context.Context, tenant, caseID, text string, data json.RawMessage) (int64, error) {
	a := audit.ActorFrom(ctx)
	var seq int64
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		after, _ := json.Marshal(map[string]any{"text": text, "data": data})
		err := tx.QueryRow(ctx, `INSERT INTO case_events (tenant_id, case_id, actor, action, after, request_id)
			SELECT $1, id, $3, 'note', $4, $5 FROM cases WHERE tenant_id = $1 AND id::text = $2 RETURNING seq`,
			tenant, caseID, a.Subject, after, a.RequestID).Scan(&seq)
		if errors.Is(err, pgx.ErrNoRows) {
			return cases.ErrNotFound
		}
		return err
	})
	return seq, err
}

// --- after-events ------------------------------------------------------------------------------

// PluginEvent is one after-event for one plugin: a queue job, delivered at least once.
type PluginEvent struct {
	Plugin     string          `json:"plugin"`
	Tenant     string          `json:"tenant"`
	EventID    string          `json:"event_id"`
	Kind       string          `json:"kind"`
	CaseID     string          `json:"case_id"`
	OccurredAt time.Time       `json:"occurred_at"`
	Payload    json.RawMessage `json:"payload"`
	Attempt    int             `json:"-"`
}

// PluginEventArgs is the job delivering a PluginEvent.
type PluginEventArgs struct{ PluginEvent }

func (PluginEventArgs) Kind() string { return "plugin_event" }
func (PluginEventArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12, Queue: river.QueueDefault}
}

// enqueuePluginEvents queues the change's events for every plugin enabled in the case's tenant
// that subscribes to them, in tx: they exist exactly when the change commits.
func enqueuePluginEvents(ctx context.Context, tx pgx.Tx, before, after *cases.Case) error {
	kinds := cases.AfterEvents(before, after)
	rows, err := tx.Query(ctx, `SELECT p.name, k FROM plugins p CROSS JOIN unnest($2::text[]) k
		WHERE p.manifest -> 'events' ? k AND (
			SELECT pt.enabled FROM plugin_tenants pt
			WHERE pt.plugin = p.name AND (pt.tenant_code = $1 OR (pt.subtree AND `+InSubtree("pt.tenant_code", "$1")+`))
			ORDER BY pt.tenant_code = $1 DESC, length(rtrim(pt.tenant_code, '0')) DESC LIMIT 1)`, after.TenantCode, kinds)
	if err != nil {
		return err
	}
	type sub struct{ plugin, kind string }
	subs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sub, error) {
		var x sub
		return x, r.Scan(&x.plugin, &x.kind)
	})
	if err != nil || len(subs) == 0 {
		return err
	}
	payload, _ := json.Marshal(map[string]any{"case_id": after.ID, "number": after.Number, "status": after.Status,
		"dispute_type": after.DisputeType, "source": after.Source, "committee_id": after.CommitteeID, "version": after.Version})
	now := time.Now()
	ids := map[string]string{}
	for _, x := range subs {
		id, ok := ids[x.kind]
		if !ok {
			id = uuid.NewString()
			ids[x.kind] = id
		}
		ev := PluginEvent{Plugin: x.plugin, Tenant: after.TenantCode, EventID: id, Kind: x.kind, CaseID: after.ID, OccurredAt: now, Payload: payload}
		if err := enqueue(ctx, tx, PluginEventArgs{ev}, nil); err != nil {
			return err
		}
	}
	return nil
}

// --- scheduled jobs ----------------------------------------------------------------------------

// PluginJobRun is one run of a plugin's scheduled job in one tenant: a queue job.
type PluginJobRun struct {
	Plugin      string    `json:"plugin"`
	Job         string    `json:"job"`
	Tenant      string    `json:"tenant"`
	ScheduledAt time.Time `json:"scheduled_at"`
	RunID       string    `json:"run_id"`
}

// PluginJobArgs is the job running a PluginJobRun.
type PluginJobArgs struct{ PluginJobRun }

func (PluginJobArgs) Kind() string { return "plugin_job" }
func (PluginJobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5}
}

// FinishPluginJobRun records how a run of a plugin's job ended (state "done", "failed", or
// "queued" again for a retry) with its summary.
func (s *PluginDB) FinishPluginJobRun(ctx context.Context, r PluginJobRun, state, summary string) error {
	return s.inTenant(ctx, r.Tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE plugin_job_runs SET state = $3, summary = $4, finished_at = now() WHERE tenant_code = $1 AND run_id = $2`,
			r.Tenant, r.RunID, state, summary)
		return err
	})
}

// SchedulePluginJobs queues, for every installed plugin's job and every tenant where the
// plugin is enabled, the latest run due at now that has not been queued yet; it returns the
// runs queued. The primary key of plugin_job_runs makes each run happen once.
func (s *PluginDB) SchedulePluginJobs(ctx context.Context, now time.Time) ([]PluginJobRun, error) {
	recs, err := s.Plugins(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(recs, func(r plugins.Record) bool { return len(r.Manifest.Jobs) > 0 }) {
		return nil, nil // no plugin has jobs: nothing to read every minute
	}
	ens, err := s.PluginEnablements(ctx)
	if err != nil {
		return nil, err
	}
	var queued []PluginJobRun
	err = s.inTenant(ctx, rootTenant, func(tx pgx.Tx) error {
		var codes []string
		rows, err := tx.Query(ctx, `SELECT code FROM tenants WHERE status = 'active' ORDER BY code`)
		if err != nil {
			return err
		}
		if codes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		for _, r := range recs {
			if len(r.Manifest.Jobs) == 0 {
				continue
			}
			for _, code := range codes {
				e, ok := plugins.Effective(ens, r.Name, code)
				if !ok || !e.Enabled || !plugins.RegionAllows(r.Manifest.Regions, code) {
					continue
				}
				for _, j := range r.Manifest.Jobs {
					sch, err := plugins.ParseSchedule(j.Schedule)
					if err != nil {
						continue
					}
					run := PluginJobRun{Plugin: r.Name, Job: j.Name, Tenant: code, ScheduledAt: sch.Latest(now)}
					// The run is the tenant's row: written acting for it (row-level security).
					if err := setTenant(ctx, tx, code); err != nil {
						return err
					}
					err = tx.QueryRow(ctx, `INSERT INTO plugin_job_runs (plugin, job, tenant_code, scheduled_at) VALUES ($1, $2, $3, $4)
						ON CONFLICT DO NOTHING RETURNING run_id::text`, run.Plugin, run.Job, run.Tenant, run.ScheduledAt).Scan(&run.RunID)
					if errors.Is(err, pgx.ErrNoRows) {
						continue
					}
					if err != nil {
						return err
					}
					if err := enqueue(ctx, tx, PluginJobArgs{run}, nil); err != nil {
						return err
					}
					queued = append(queued, run)
				}
			}
		}
		return nil
	})
	return queued, err
}

// PluginJobRuns lists a tenant's recent runs of a plugin's jobs, newest first.
func (s *PluginDB) PluginJobRuns(ctx context.Context, plugin, tenant string, limit int) ([]map[string]any, error) {
	var out []map[string]any
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT job, scheduled_at, run_id::text, state, summary, finished_at FROM plugin_job_runs
			WHERE plugin = $1 AND tenant_code = $2 ORDER BY scheduled_at DESC LIMIT $3`, plugin, tenant, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (map[string]any, error) {
			var job, runID, state, summary string
			var at time.Time
			var fin *time.Time
			err := r.Scan(&job, &at, &runID, &state, &summary, &fin)
			return map[string]any{"job": job, "scheduled_at": at, "run_id": runID, "state": state, "summary": summary, "finished_at": fin}, err
		})
		return err
	})
	return out, err
}

// SendMessage puts a message in an inbox of tenant (a plugin's notification), audited.
func (s *PluginDB) SendMessage(ctx context.Context, tenant string, m warnings.Message) (string, error) {
	var id string
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		if m.CaseID != "" {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE tenant_id = $1 AND id::text = $2)`, tenant, m.CaseID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return cases.ErrNotFound
			}
		}
		err := tx.QueryRow(ctx, `INSERT INTO inbox_messages (tenant_id, recipient, kind, title, body, case_id, source_tenant)
			VALUES ($1, $2, $3, $4, $5, $6, $1) RETURNING id::text`, tenant, string(m.Recipient), m.Kind, m.Title, m.Body,
			nullIfEmpty(m.CaseID)).Scan(&id)
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenant, "message.send", "message:"+id, nil, map[string]any{"recipient": m.Recipient, "kind": m.Kind, "case_id": m.CaseID})
	})
	if c := pgCode(err); c == codeCheckViolation || c == codeInvalidText {
		return "", plugins.InvalidField("recipient", "收件人须为 org:<组织编号>、user:<用户编号> 或 tenant / recipient must be org:<id>, user:<id> or tenant")
	}
	return id, err
}

// UpdatePluginFields merges fields (a JSON object; a null removes a field) into plugin's own
// fields of a case, records a "plugin_fields" event in the case's history, audits it, and
// returns the plugin's fields afterwards.
func (s *PluginDB) UpdatePluginFields(ctx context.Context, tenant, caseID, plugin string, fields json.RawMessage) (json.RawMessage, error) {
	a := audit.ActorFrom(ctx)
	var before, after json.RawMessage
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT coalesce(plugin_fields -> $3, '{}'::jsonb) FROM cases WHERE tenant_id = $1 AND id::text = $2 FOR UPDATE`,
			tenant, caseID, plugin).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return cases.ErrNotFound
		}
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE cases SET plugin_fields = jsonb_set(plugin_fields, ARRAY[$3::text],
				jsonb_strip_nulls(coalesce(plugin_fields -> $3, '{}'::jsonb) || $4::jsonb))
			WHERE tenant_id = $1 AND id::text = $2 RETURNING plugin_fields -> $3`, tenant, caseID, plugin, fields).Scan(&after); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_events (tenant_id, case_id, actor, action, before, after, request_id)
			VALUES ($1, $2::uuid, $3, 'plugin_fields', jsonb_build_object($4::text, $5::jsonb), jsonb_build_object($4::text, $6::jsonb), $7)`,
			tenant, caseID, a.Subject, plugin, before, after, a.RequestID); err != nil {
			return err
		}
		return appendAudit(ctx, tx, tenant, "case.plugin_fields", "case:"+caseID, json.RawMessage(before), json.RawMessage(after))
	})
	return after, err
}

// PluginFields reads plugin's own fields of a case ({} when it has none).
func (s *PluginDB) PluginFields(ctx context.Context, tenant, caseID, plugin string) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `SELECT coalesce(plugin_fields -> $3, '{}'::jsonb) FROM cases WHERE tenant_id = $1 AND id::text = $2`,
			tenant, caseID, plugin).Scan(&out)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, cases.ErrNotFound
	}
	return out, err
}

// ActiveTenantCodes returns those of codes that are active tenants.
func (s *PluginDB) ActiveTenantCodes(ctx context.Context, codes []string) ([]string, error) {
	var out []string
	err := s.inTenant(ctx, rootTenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT code FROM tenants WHERE code = ANY($1) AND status = 'active'`, codes)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return out, err
}
