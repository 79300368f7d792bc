package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fengqiao/fengqiao/cmd/fengqiao/app"
	"github.com/fengqiao/fengqiao/core/audit"
	"github.com/fengqiao/fengqiao/core/caseimport"
	"github.com/fengqiao/fengqiao/core/cases"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

func caseCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "case", Short: "案件 / Cases"}
	var (
		skipInvalid    bool
		rejected       string
		format, actor  string
		only           string
		maxErrorsShown int
	)
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "导入历史案件（CSV、NDJSON 或 Excel 工作簿，列见 docs/import.md） / Import historical cases from a CSV, NDJSON or Excel (.xlsx) file (columns: docs/import.md)",
		Long: `导入旧系统的历史案件。先逐行校验，按行号和字段列出错误；默认只要有一行无效就不导入任何案件，
--skip-invalid 则导入有效行，并把无效行连同错误写入 --rejected 文件。
Imports historical cases from a legacy system. Every row is validated first and errors are listed
by line and field; by default one invalid row means nothing is imported. With --skip-invalid the
valid rows are imported and the invalid ones written, with their errors, to the --rejected file.`,
		Args: cobra.ExactArgs(1),
		RunE: load.withApp(func(cmd *cobra.Command, a *app.App, args []string) error {
			path := args[0]
			f, ok := caseimport.FormatOf(path)
			if format != "" {
				if f, ok = caseimport.ParseFormat(format); !ok {
					return fmt.Errorf("--format %q: use csv, ndjson or xlsx", format)
				}
			} else if !ok {
				return fmt.Errorf("%s: cannot tell the format from the extension: name the file .csv, .ndjson or .xlsx, or give --format csv|ndjson|xlsx", path)
			}
			if actor = strings.TrimSpace(actor); actor == "" || len(actor) > 100 {
				return errors.New("--actor must be 1–100 characters")
			}
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if rejected != "" && !skipInvalid {
				return errors.New("--rejected goes with --skip-invalid (without it, an invalid row imports nothing)")
			}
			if skipInvalid && rejected == "" {
				ext := filepath.Ext(path)
				out := ext
				if f == caseimport.XLSX {
					out = ".csv" // the rejected rows of a sheet, with their errors, as text
				}
				rejected = strings.TrimSuffix(path, ext) + ".rejected" + out
			}
			ctx := audit.WithActor(cmd.Context(), audit.Actor{Subject: actor})
			return runImport(ctx, cmd, a, importRun{path: path, size: info.Size(), format: f, skipInvalid: skipInvalid,
				rejected: rejected, actor: actor, tenant: only, shown: maxErrorsShown})
		}),
	}
	imp.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "导入有效行，无效行写入 --rejected / import the valid rows, write the invalid ones to --rejected")
	imp.Flags().StringVar(&rejected, "rejected", "", "无效行及其错误写入此文件（默认 FILE.rejected.csv|ndjson，Excel 文件为 .csv） / where the invalid rows go with their errors (default FILE.rejected.EXT; .csv for a workbook)")
	imp.Flags().StringVar(&format, "format", "", "csv | ndjson | xlsx（默认按扩展名） / csv, ndjson or xlsx (default: by the file's extension)")
	imp.Flags().StringVar(&actor, "actor", "system:case-import", "审计记录中的操作人，亦为案件的登记人 / the actor named in the audit trail and as the cases' creator")
	imp.Flags().StringVar(&only, "tenant", "", "只导入该区县（无 tenant 列的行也归入该区县） / import into this tenant only (rows without a tenant get it)")
	imp.Flags().IntVar(&maxErrorsShown, "show-errors", 100, "最多显示多少条错误 / how many errors to print")
	cmd.AddCommand(imp)
	return cmd
}

type importRun struct {
	path, rejected, actor, tenant string
	size                          int64
	format                        caseimport.Format
	skipInvalid                   bool
	shown                         int
}

// runImport runs an import with a progress bar on standard error and prints the summary.
func runImport(ctx context.Context, cmd *cobra.Command, a *app.App, r importRun) error {
	stderr, out := cmd.ErrOrStderr(), cmd.OutOrStdout()
	// The bars are for a person at a terminal; logs of a scheduled run get the summary only.
	f, isFile := stderr.(*os.File)
	visible := isFile && term.IsTerminal(int(f.Fd()))
	bar := progressbar.NewOptions64(r.size, progressbar.OptionSetWriter(stderr), progressbar.OptionSetVisibility(visible), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("校验 / validating"), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30), progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
	// The first pass (validation) shows the bytes read; the second, the rows imported.
	passes := 0
	src := openFunc(func() (cases.ImportReader, io.Closer, error) {
		passes++
		s := caseimport.FileSource{Path: r.path, Format: r.format}
		if passes == 1 {
			s.Count = func(n int) { _ = bar.Add(n) }
		}
		return s.Open()
	})
	var (
		rejectFile *os.File
		rejectBuf  *bufio.Writer
		rejectW    *caseimport.RejectWriter
	)
	opt := cases.ImportOptions{Scope: "000000", Tenant: r.tenant, SkipInvalid: r.skipInvalid, File: filepath.Base(r.path), Actor: r.actor}
	if r.skipInvalid {
		opt.Reject = func(row cases.ImportRow, errs []cases.RowError) error {
			if rejectW == nil {
				f, err := os.Create(r.rejected)
				if err != nil {
					return err
				}
				rejectFile, rejectBuf = f, bufio.NewWriterSize(f, 256<<10)
				rejectW = caseimport.NewRejectWriter(rejectBuf, r.format)
			}
			return rejectW.Reject(row, errs)
		}
	}
	var importBar *progressbar.ProgressBar
	started := time.Now()
	opt.Progress = func(p string, done, total int) {
		if p == "validate" {
			bar.Describe(fmt.Sprintf("校验 / validating: %d 行 rows, %.0f rows/s", done, float64(done)/time.Since(started).Seconds()))
			return
		}
		if importBar == nil {
			_ = bar.Finish()
			importBar = progressbar.NewOptions(total, progressbar.OptionSetWriter(stderr), progressbar.OptionSetVisibility(visible), progressbar.OptionSetDescription("导入 / importing"),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("cases"), progressbar.OptionShowCount(),
				progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
		}
		_ = importBar.Set(done)
	}
	start := time.Now()
	rep, err := a.Cases.Import(ctx, src, opt)
	elapsed := time.Since(start)
	_ = bar.Finish()
	if importBar != nil {
		_ = importBar.Finish()
	}
	if rejectW != nil {
		if ferr := rejectBuf.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		if cerr := rejectFile.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}
	var ie *cases.ImportError
	if err != nil && !errors.As(err, &ie) {
		return fmt.Errorf("%s: %w", r.path, err)
	}
	printReport(out, rep, r.shown)
	rate := fmt.Sprintf("%.0f cases/s", float64(rep.Imported)/elapsed.Seconds())
	if rep.Imported == 0 {
		rate = fmt.Sprintf("%.0f rows/s validated", float64(rep.Validated)/elapsed.Seconds())
	}
	printf(out, "validated %d, imported %d, rejected %d in %s (%s)\n", rep.Validated, rep.Imported, rep.Rejected,
		elapsed.Round(time.Millisecond), rate)
	if rejectW != nil {
		printf(out, "rejected rows with their errors: %s\n", r.rejected)
	}
	if ie != nil {
		return fmt.Errorf("%d 行无效，未导入任何案件（--skip-invalid 可只导入有效行） / %d invalid rows: nothing imported (--skip-invalid imports the valid rows)",
			rep.Rejected, rep.Rejected)
	}
	return nil
}

// openFunc is a cases.ImportSource made of a function.
type openFunc func() (cases.ImportReader, io.Closer, error)

func (f openFunc) Open() (cases.ImportReader, io.Closer, error) { return f() }

func printReport(w io.Writer, rep cases.ImportReport, shown int) {
	codes := make([]string, 0, len(rep.PerTenant))
	for code := range rep.PerTenant {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	printf(tw, "TENANT\tVALIDATED\tIMPORTED\tREJECTED\n")
	for _, code := range codes {
		t := rep.PerTenant[code]
		printf(tw, "%s\t%d\t%d\t%d\n", code, t.Validated, t.Imported, t.Rejected)
	}
	_ = tw.Flush()
	if len(rep.Errors) == 0 {
		return
	}
	printf(w, "errors (line, field, message):\n")
	for i, e := range rep.Errors {
		if i == shown {
			printf(w, "… %d more\n", len(rep.Errors)-shown+rep.MoreErrors)
			return
		}
		printf(w, "  line %d\t%s\t%s\n", e.Line, e.Field, e.Message)
	}
	if rep.MoreErrors > 0 {
		printf(w, "… %d more\n", rep.MoreErrors)
	}
}
