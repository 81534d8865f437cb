import { describe, expect, it } from 'vitest';
import { plannedInspection } from '../../machines/index.js';
import { machineDefinition } from '../../src/domain/machine-definition.js';
import { toCsv } from '../../src/web/csv.js';
import { machineLayout, renderDiagram, takenEdges, visitedStates } from '../../src/web/diagram.js';
import { eventFromForm } from '../../src/web/forms.js';
import { html } from '../../src/web/html.js';

describe('dashboard building blocks', () => {
  it('escapes every interpolated value, so user text never becomes markup', () => {
    const text = '<script>alert("x")</script> & \'q\'';
    expect(String(html`<p title="${text}">${text}</p>`)).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>',
    );
    expect(String(html`<ul>${['a', html`<li>b</li>`]}</ul>`)).toBe('<ul>a<li>b</li></ul>');
  });

  it('writes CSV that Excel opens with Vietnamese intact: BOM, CRLF, quotes doubled, formulas defused', () => {
    const csv = toCsv([
      ['Đơn vị', 'Nội dung'],
      ['Sở Y tế', 'Dòng 1\n"trích dẫn", dấu phẩy'],
      ['=HYPERLINK("x")', -3],
    ]);
    expect(csv).toBe('\uFEFF"Đơn vị","Nội dung"\r\n"Sở Y tế","Dòng 1\n""trích dẫn"", dấu phẩy"\r\n"\'=HYPERLINK(""x"")","\'-3"\r\n');
  });

  it('turns forms into event payloads, leaving empty fields out for the machine to report', () => {
    expect(eventFromForm('REPORT_PROGRESS', { itemId: 'R1', percent: '40', note: '' })).toEqual({ type: 'REPORT_PROGRESS', itemId: 'R1', percent: 40 });
    expect(eventFromForm('VERIFY_ITEM', { itemId: 'R1', accepted: 'false' })).toEqual({ type: 'VERIFY_ITEM', itemId: 'R1', accepted: false });
    expect(
      eventFromForm('SUBMIT_SELF_REPORT', { summary: 'Báo cáo', documents: 'Báo cáo số 1 | https://example.org/1.pdf\r\nDanh mục' }),
    ).toEqual({
      type: 'SUBMIT_SELF_REPORT',
      summary: 'Báo cáo',
      documents: [{ title: 'Báo cáo số 1', url: 'https://example.org/1.pdf' }, { title: 'Danh mục' }],
    });
    expect(
      eventFromForm('ISSUE_CONCLUSION', {
        summary: 'Kết luận',
        'remediation.0.action': 'Khắc phục',
        'remediation.0.dueDate': '2020-10-30',
        'remediation.0.findingId': 'F1',
        'remediation.1.action': '',
        'remediation.1.findingId': 'F2',
      }),
    ).toEqual({ type: 'ISSUE_CONCLUSION', summary: 'Kết luận', remediation: [{ action: 'Khắc phục', dueDate: '2020-10-30', findingId: 'F1' }] });
  });

  it('lays the statechart out from its definition and marks the path an audit history took', async () => {
    const def = machineDefinition(plannedInspection.machine);
    const layout = await machineLayout('plannedInspection', def, 'vi');
    const drawn = new Set(layout.nodes.filter((n) => !n.pseudo).map((n) => n.path));
    expect(drawn).toEqual(new Set(Object.keys(def.states)));
    const history = [
      { event: 'CREATE', from: null, to: 'planned' },
      { event: 'REQUEST_SELF_REPORT', from: 'planned', to: 'selfReport.requested' },
      { event: 'xstate.after.selfReportDue.plannedInspection.selfReport.requested', from: 'selfReport.requested', to: 'selfReport.overdue' },
      { event: 'CANCEL', from: 'selfReport.overdue', to: 'cancelled' },
    ];
    const taken = takenEdges(layout, history);
    const events = layout.edges.filter((e) => taken.has(e.id)).map((e) => `${e.source}→${e.target}:${e.event}`);
    expect(events.sort()).toEqual(
      ['planned→selfReport.requested:REQUEST_SELF_REPORT', 'selfReport.requested→selfReport.overdue:after selfReportDue', 'selfReport→cancelled:CANCEL'].sort(),
    );
    const svg = String(renderDiagram(layout, { current: 'cancelled', visited: visitedStates(history), taken }, 't', 'd'));
    expect(svg).toContain('class="state atomic final current visited" data-state="cancelled"');
    expect(svg).not.toContain('style=');
  });
});
