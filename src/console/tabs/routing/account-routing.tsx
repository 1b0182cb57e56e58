import { useState } from 'react';
import { ApiError, api } from '../../api.js';
import { useUnsaved } from '../../unsaved.js';
import { Notice, Section, TableScroll, TextAreaField, useAction, useLoad } from '../../ui.js';

interface AccountEntry {
  match: string;
  agentId: string;
  kind: 'domain' | 'company';
  agentName: string | null;
}

const EXAMPLE = 'acme.com,ana@example.com';

/**
 * Account routing: the current list (and its CSV, which the upload takes back as it is), and an
 * upload of a CSV file or pasted text (PUT text/csv). A refused upload imports nothing: each bad
 * row the API names is listed beside the text, which stays as typed.
 */
export function AccountRouting() {
  const list = useLoad(() => api.get<{ accounts: AccountEntry[] }>('/api/routing/accounts'));
  const [text, setText] = useState('');
  const upload = useAction();
  useUnsaved('Account list upload', text.trim() !== '');
  const failure = upload.failure;
  const rowErrors =
    failure === null
      ? []
      : failure.issues.length > 0
        ? failure.issues.map((i) => i.message)
        : [failure.message];

  async function readFile(file: File | undefined) {
    if (file) setText(await file.text());
  }

  async function send() {
    const ok = await upload.run(
      'Uploading the account list',
      () => api.putText('/api/routing/accounts', text, 'text/csv'),
      'Account list imported: it replaced the previous list.',
    );
    if (ok) {
      setText('');
      list.reload();
    }
  }

  return (
    <Section
      title="Account routing"
      actions={
        <a href="/api/routing/accounts?format=csv" download="accounts.csv">
          Download the list as CSV
        </a>
      }
    >
      <p className="hint">
        Email domains and company names mapped to an agent, the highest-priority routing step. An
        upload replaces the whole list; any bad row imports nothing.
      </p>
      {list.error && <p role="alert">{list.error}</p>}
      {list.data &&
        (list.data.accounts.length === 0 ? (
          <p>No account list: routing goes on to owners, rules and the rotation.</p>
        ) : (
          <TableScroll label="Account list, scrollable">
            <table aria-label="Account list">
              <thead>
                <tr>
                  <th scope="col">Match</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Agent</th>
                </tr>
              </thead>
              <tbody>
                {list.data.accounts.map((a) => (
                  <tr key={a.match}>
                    <td>{a.match}</td>
                    <td>{a.kind}</td>
                    <td>{a.agentName ?? a.agentId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ))}
      <form
        noValidate
        aria-label="Upload an account list"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <div className="field">
          <label htmlFor="account-csv-file">CSV file</label>
          <input
            id="account-csv-file"
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => void readFile(e.target.files?.[0])}
          />
        </div>
        <TextAreaField
          label="Account list (CSV)"
          value={text}
          rows={6}
          hint={`A header “match,agentId”, then one entry a row: a domain or a company name, and the agent’s id or email. E.g. ${EXAMPLE}`}
          errors={failure instanceof ApiError && failure.status === 400 ? rowErrors : []}
          onChange={setText}
        />
        <button type="submit" className="primary" disabled={upload.busy || text.trim() === ''}>
          Upload account list
        </button>
        <Notice notice={upload.notice} />
      </form>
    </Section>
  );
}
