import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** What the service runs: this Node and this hivemesh, for one home. */
export interface ServiceSpec {
  node: string;
  main: string;
  home: string;
  /** The user's home directory (where the unit or agent file goes). */
  userHome: string;
  /** true when `home` is the default `~/.hivemesh`: the service then has the plain name. */
  defaultHome: boolean;
}

/** One service per home: the default home's is `hivemesh`, another home's gets a short hash of its path. */
export function serviceName(spec: Pick<ServiceSpec, 'home' | 'defaultHome'>): string {
  return spec.defaultHome ? 'hivemesh' : `hivemesh-${createHash('sha256').update(spec.home).digest('hex').slice(0, 8)}`;
}

export function systemdUnitPath(spec: ServiceSpec): string {
  return join(spec.userHome, '.config', 'systemd', 'user', `${serviceName(spec)}.service`);
}

export function launchdLabel(spec: ServiceSpec): string {
  return `dev.${serviceName(spec).replace('-', '.')}.daemon`;
}

export function launchdPlistPath(spec: ServiceSpec): string {
  return join(spec.userHome, 'Library', 'LaunchAgents', `${launchdLabel(spec)}.plist`);
}

/** A systemd word: quoted, with the characters systemd treats specially escaped. */
function systemdWord(word: string): string {
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/**
 * A systemd user unit: starts at login (at boot too with `loginctl enable-linger`), restarts on
 * failure, logs to the journal (`journalctl --user -u NAME`). SIGTERM makes the daemon flush
 * its store and indexes before exiting.
 */
export function systemdUnit(spec: ServiceSpec): string {
  return `# Written by \`mesh service install\`; \`mesh service uninstall\` removes it.
[Unit]
Description=hivemesh daemon (${spec.home.replace(/%/g, '%%')})
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
ExecStart=${[spec.node, spec.main, 'daemon', '--home', spec.home].map(systemdWord).join(' ')}
Restart=on-failure
RestartSec=2
KillSignal=SIGTERM
TimeoutStopSec=30

[Install]
WantedBy=default.target
`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A launchd agent: starts at login, restarted when it exits with a failure, logs under ~/Library/Logs/hivemesh. */
export function launchdPlist(spec: ServiceSpec): string {
  const logs = join(spec.userHome, 'Library', 'Logs', 'hivemesh', `${serviceName(spec)}.log`);
  const args = [spec.node, spec.main, 'daemon', '--home', spec.home].map((a) => `<string>${xml(a)}</string>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<!-- Written by \`mesh service install\`; \`mesh service uninstall\` removes it. -->
<plist version="1.0">
<dict>
  <key>Label</key><string>${xml(launchdLabel(spec))}</string>
  <key>ProgramArguments</key>
  <array>${args}</array>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardOutPath</key><string>${xml(logs)}</string>
  <key>StandardErrorPath</key><string>${xml(logs)}</string>
</dict>
</plist>
`;
}
