package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fengqiao/fengqiao/core/keyfile"
	"github.com/fengqiao/fengqiao/core/store"
)

// legacyPIIKeyID is the id under which earlier versions sealed personal data with the key they
// kept in the database (their ciphertexts name it).
const legacyPIIKeyID = "db1"

func keysCmd(load loader) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "平台密钥 / The platform's keys"}
	var path string
	migrate := &cobra.Command{
		Use:   "migrate [--key-file PATH]",
		Short: "把旧版本存于数据库的密钥移到密钥文件并从数据库删除 / Move the keys an earlier version kept in the database to the key file, and delete them there",
		Long: "以所有者角色（database.url）读取密钥表（platform_secrets）中的密钥，写入密钥文件（默认 security.key_file；已有不同密钥则拒绝覆盖），然后删除这些行。\n" +
			"Reads the keys of platform_secrets as the owner role (database.url), writes them to the key file (security.key_file unless --key-file; " +
			"a different key already in it is never overwritten) and then deletes the rows. Run it once after upgrading; servers refuse to start until then.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := load(cmd)
			if err != nil {
				return err
			}
			if err := cfg.RequireDatabase(); err != nil {
				return err
			}
			if path == "" {
				path = cfg.Security.KeyFile
			}
			if path == "" {
				return fmt.Errorf("请用 --key-file 或 security.key_file 指定密钥文件 / name the key file with --key-file or security.key_file (env FENGQIAO_SECURITY_KEY_FILE)")
			}
			var fresh []string
			moved, err := store.MoveLegacySecrets(cmd.Context(), cfg.Database.URL, func(rows map[string][]byte) error {
				var add keyfile.Keys
				for name, v := range rows {
					switch name {
					case "token_key":
						add.TokenKey = v
					case "pii_key_" + legacyPIIKeyID:
						add.PIIKeys, add.PIIActiveKey = map[string][]byte{legacyPIIKeyID: v[:keyfile.KeySize]}, legacyPIIKeyID
					case "pii_index_key":
						add.PIIIndexKey = v[:keyfile.KeySize]
					default:
						return fmt.Errorf("platform_secrets 中有未知的密钥 %q，未移动任何密钥 / unknown key %q in platform_secrets; nothing moved", name, name)
					}
				}
				merged, err := keyfile.Merge(path, add)
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				// A key the database did not hold (it was configured) is created, so that the file
				// is a complete key source; configured keys still win over it.
				full, err := keyfile.Generate(merged)
				if err != nil {
					return err
				}
				for name, missing := range map[string]bool{"token_key": len(merged.TokenKey) == 0, "pii_keys": len(merged.PIIKeys) == 0, "pii_index_key": len(merged.PIIIndexKey) == 0} {
					if missing {
						fresh = append(fresh, name)
					}
				}
				if len(fresh) > 0 {
					_, err = keyfile.Merge(path, full)
				}
				return err
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(moved) == 0 {
				printf(w, "platform_secrets holds no key: nothing to move\n")
				return nil
			}
			slices.Sort(fresh)
			printf(w, "moved %d keys (%s) from platform_secrets to %s; the database holds no key now\n", len(moved), strings.Join(moved, ", "), path)
			if len(fresh) > 0 {
				printf(w, "created in the key file, as the database had none: %s\n", strings.Join(fresh, ", "))
			}
			if path != cfg.Security.KeyFile {
				printf(w, "point security.key_file (env FENGQIAO_SECURITY_KEY_FILE) to %s\n", path)
			}
			return nil
		},
	}
	migrate.Flags().StringVar(&path, "key-file", "", "密钥文件路径（默认 security.key_file）/ key file path (default: security.key_file)")
	cmd.AddCommand(migrate)
	return cmd
}
