/**
 * The criteria catalog: what an inspection checks, from sections II.1 (planned
 * inspections, groups a–i; the plan's lettering skips f) and II.2 (surprise
 * inspections, s1–s2) of the 2020 Đắk Lắk plan. Pure data, shared by the
 * machines (a finding must name a criterion that applies) and the HTTP layer.
 */
export type InspectionKind = 'planned' | 'surprise';
export type CriterionGroup = 'a' | 'b' | 'c' | 'd' | 'e' | 'g' | 'h' | 'i' | 's';

export interface Criterion {
  code: string;
  group: CriterionGroup;
  title: { vi: string; en: string };
  appliesTo: readonly InspectionKind[];
}

/** Group names, as headed in section II of the plan (II.1 a–i, II.2 for `s`). */
export const criterionGroups: Record<CriterionGroup, { vi: string; en: string }> = {
  a: { vi: 'Công tác chỉ đạo, điều hành', en: 'Direction and administration' },
  b: { vi: 'Cải cách thể chế', en: 'Institutional reform' },
  c: { vi: 'Cải cách thủ tục hành chính (TTHC)', en: 'Administrative procedure reform' },
  d: {
    vi: 'Thực hiện cơ chế một cửa, cơ chế một cửa liên thông',
    en: 'One-stop shop and inter-agency one-stop mechanism',
  },
  e: {
    vi: 'Cải cách tổ chức bộ máy hành chính nhà nước',
    en: 'Reform of the state administrative apparatus',
  },
  g: {
    vi: 'Xây dựng và nâng cao chất lượng đội ngũ CBCCVC',
    en: 'Building and improving the quality of cadres, civil servants and public employees',
  },
  h: { vi: 'Cải cách tài chính công', en: 'Public finance reform' },
  i: { vi: 'Hiện đại hóa hành chính', en: 'Administrative modernisation' },
  s: { vi: 'Kiểm tra đột xuất', en: 'Surprise inspection' },
};

const planned: readonly InspectionKind[] = ['planned'];
const surprise: readonly InspectionKind[] = ['surprise'];

function c(
  code: string,
  group: CriterionGroup,
  appliesTo: readonly InspectionKind[],
  vi: string,
  en: string,
): Criterion {
  return { code, group, appliesTo, title: { vi, en } };
}

/*
 * Titles condense the plan's own bullets (vi) and render them in English (en).
 * Abbreviations as in the plan: CCHC = cải cách hành chính (administrative
 * reform), TTHC = thủ tục hành chính (administrative procedure), QPPL = quy
 * phạm pháp luật (legal normative), CBCCVC = cán bộ, công chức, viên chức
 * (cadres, civil servants and public employees).
 *
 * d) is one paragraph in the plan; d1–d4 are its four "nội dung chính" in the
 * order written. The written apology for overdue dossiers is not in d) but in
 * II.2 b) (s2).
 *
 * i) "Về ứng dụng công nghệ thông tin" has exactly six "+" sub-items in the
 * plan; i1–i6 map to them one to one, in order. (The product README's summary
 * of them names five topics: document software and provincial e-mail are in
 * i1, official e-mail again in i4.) "Về áp dụng hệ thống quản lý chất lượng
 * ISO" is i7.
 */
export const criteria: readonly Criterion[] = [
  // a) Công tác chỉ đạo, điều hành
  c('a1', 'a', planned,
    'Trách nhiệm người đứng đầu về toàn bộ nhiệm vụ CCHC, kể cả khi đã phân công, ủy nhiệm cho cấp phó',
    'Responsibility of the head of the unit for all administrative-reform tasks, even when assigned or delegated to a deputy'),
  c('a2', 'a', planned,
    'Thực hiện Quyết định 2784/QĐ-UBND ngày 09/10/2017 (Kế hoạch thực hiện Nghị quyết 07-NQ/TU về tiếp tục đẩy mạnh CCHC)',
    'Implementation of Decision 2784/QĐ-UBND of 09/10/2017 (plan implementing Provincial Party Resolution 07-NQ/TU on further stepping up administrative reform)'),
  c('a3', 'a', planned,
    'Ban hành văn bản chỉ đạo, điều hành; tổ chức hội nghị giao ban, quán triệt chương trình, kế hoạch của Chính phủ, của tỉnh, của cơ quan, đơn vị',
    'Issuing direction documents; holding briefing meetings and disseminating the programmes and plans of the Government, the province and the unit'),
  c('a4', 'a', planned,
    'Xây dựng, ban hành kế hoạch hàng năm của cơ quan, đơn vị; kết quả và mức độ thực hiện kế hoạch',
    "Drawing up and issuing the unit's annual (administrative-reform) plan; results and degree of implementation"),
  c('a5', 'a', planned,
    'Ban hành kế hoạch kiểm tra hàng năm; kết quả thực hiện, số đơn vị được kiểm tra, việc xử lý các vấn đề phát hiện qua kiểm tra',
    'Issuing the annual inspection plan; results, number of units inspected and handling of the issues found'),
  c('a6', 'a', planned,
    'Xây dựng, ban hành kế hoạch tuyên truyền hàng năm; kết quả thực hiện, mức độ hoàn thành kế hoạch',
    'Drawing up and issuing the annual communication plan; results and degree of completion'),
  c('a7', 'a', planned,
    'Thực hiện Kế hoạch cải thiện Chỉ số CCHC của tỉnh',
    "Implementation of the province's plan to improve its Administrative Reform Index (PAR Index)"),
  c('a8', 'a', planned,
    'Thông tin, báo cáo; thi đua, khen thưởng gắn với CCHC và sáng kiến; đánh giá Bộ chỉ số của UBND cấp huyện đối với UBND cấp xã',
    "Information and reporting; emulation and rewards tied to administrative reform, and initiatives; district People's Committees' assessment of communes against the index"),

  // b) Cải cách thể chế
  c('b1', 'b', planned,
    'Tham mưu ban hành văn bản quy định chi tiết các văn bản QPPL của cơ quan nhà nước cấp trên',
    'Advising on documents that detail legal normative documents of higher state bodies'),
  c('b2', 'b', planned,
    'Rà soát, hệ thống hóa văn bản QPPL',
    'Review and systematisation of legal normative documents'),
  c('b3', 'b', planned,
    'Triển khai Luật Ban hành văn bản QPPL năm 2015 tại cơ quan, đơn vị',
    'Implementation of the 2015 Law on Promulgation of Legal Normative Documents in the unit'),
  c('b4', 'b', planned,
    'Theo dõi tình hình thi hành pháp luật',
    'Monitoring of law enforcement'),
  c('b5', 'b', planned,
    'Tuyên truyền, phổ biến, giáo dục pháp luật',
    'Legal dissemination and education'),

  // c) Cải cách thủ tục hành chính
  c('c1', 'c', planned,
    'Ban hành, thực hiện và mức độ hoàn thành Kế hoạch rà soát, đánh giá TTHC; đề xuất phương án đơn giản hóa TTHC',
    'Plan for reviewing and assessing administrative procedures (issued, implemented, completed); proposals to simplify procedures'),
  c('c2', 'c', planned,
    'Niêm yết, công khai TTHC thuộc thẩm quyền giải quyết bằng nhiều hình thức phù hợp; công khai địa chỉ tiếp nhận phản ánh, kiến nghị',
    "Posting and publicising the procedures within the unit's competence in suitable forms; publishing the address for feedback and petitions"),
  c('c3', 'c', planned,
    'Tiếp nhận, xử lý phản ánh, kiến nghị của cá nhân, tổ chức về quy định hành chính',
    'Receiving and handling feedback and petitions from individuals and organisations on administrative regulations'),

  // d) Thực hiện cơ chế một cửa, cơ chế một cửa liên thông (one paragraph)
  c('d1', 'd', planned,
    'Số TTHC giải quyết theo cơ chế một cửa, cơ chế một cửa liên thông tại cơ quan, đơn vị',
    'Number of administrative procedures handled through the one-stop shop and the inter-agency one-stop mechanism'),
  c('d2', 'd', planned,
    'Tình trạng trễ hẹn, lý do trễ hẹn trong giải quyết hồ sơ TTHC',
    'Dossiers resolved late (past the appointed date) and the reasons for the delays'),
  c('d3', 'd', planned,
    'Sự phối hợp giữa các cơ quan, giữa các phòng, ban, bộ phận liên quan trong giải quyết hồ sơ TTHC',
    'Coordination among agencies, and among the divisions and sections concerned, in resolving dossiers'),
  c('d4', 'd', planned,
    'Thái độ phục vụ của CBCCVC',
    'Service attitude of cadres, civil servants and public employees'),

  // e) Cải cách tổ chức bộ máy hành chính nhà nước
  c('e1', 'e', planned,
    'Thực hiện quy định về vị trí, chức năng, nhiệm vụ, quyền hạn, cơ cấu tổ chức, biên chế (kể cả đơn vị sự nghiệp công lập)',
    "Compliance with the rules on the unit's position, functions, tasks, powers, structure and staffing quota (including public service units)"),
  c('e2', 'e', planned,
    'Ban hành, thực hiện và mức độ hoàn thành Kế hoạch kiểm tra tổ chức, hoạt động của cơ quan và các đơn vị thuộc, trực thuộc',
    'Plan for inspecting the organisation and operation of the agency and its subordinate units (issued, implemented, completed)'),
  c('e3', 'e', planned,
    'Thực hiện phân cấp quản lý (Nghị quyết 21/NQ-CP ngày 21/3/2016); quy chế phối hợp giải quyết công việc, TTHC, quản lý nhà nước liên ngành',
    'Decentralisation of management (Government Resolution 21/NQ-CP of 21/3/2016); coordination rules for handling work, procedures and cross-sector state management'),

  // g) Xây dựng và nâng cao chất lượng đội ngũ CBCCVC
  c('g1', 'g', planned,
    'Xây dựng, điều chỉnh đề án cơ cấu công chức theo vị trí việc làm và cơ cấu viên chức theo chức danh nghề nghiệp',
    'Drawing up and adjusting the scheme of civil servants by job position and of public employees by professional title'),
  c('g2', 'g', planned,
    'Thực hiện chính sách tinh giản biên chế theo Đề án tinh giản biên chế giai đoạn 2015-2021',
    'Staff streamlining under the 2015–2021 streamlining scheme'),
  c('g3', 'g', planned,
    'Quản lý CBCCVC; đánh giá, phân loại hàng năm; tuyển dụng, sử dụng, bổ nhiệm, khen thưởng và các chế độ, chính sách khác',
    'Personnel management; annual evaluation and classification; recruitment, deployment, appointment, rewards and other entitlements'),
  c('g4', 'g', planned,
    'Đào tạo, bồi dưỡng và kết quả thực hiện kế hoạch đào tạo, bồi dưỡng được phê duyệt',
    'Training and refresher training; results of the approved training plan'),
  c('g5', 'g', planned,
    'Nghĩa vụ, những việc không được làm, quy tắc ứng xử, văn hóa công sở, đạo đức công vụ, thái độ phục vụ của CBCCVC khi tiếp nhận, giải quyết hồ sơ TTHC',
    'Duties, prohibited acts, code of conduct, office culture, public-service ethics, sense of responsibility and service attitude of staff when receiving and resolving dossiers'),
  c('g6', 'g', planned,
    'Thực hiện Chỉ thị 07/CT-UBND ngày 12/4/2017 về nâng cao kỷ luật, kỷ cương, đạo đức công vụ, đạo đức nghề nghiệp của CBCCVC',
    'Implementation of Directive 07/CT-UBND of 12/4/2017 on tightening discipline and raising public-service and professional ethics'),
  c('g7', 'g', planned,
    'Cán bộ, công chức cấp xã: số lượng, chất lượng; số lượng, tỷ lệ % đạt chuẩn, được bồi dưỡng, tập huấn trong năm; chỉ tiêu đạt chuẩn hàng năm',
    'Commune-level cadres and civil servants: numbers and quality; number and % meeting the standards and trained in the year; annual targets for meeting the standards'),

  // h) Cải cách tài chính công
  c('h1', 'h', planned,
    'Tự chủ tại các đơn vị hành chính, sự nghiệp trực thuộc: mức độ tự chủ, mở rộng hoạt động tăng nguồn thu sự nghiệp, tăng thu nhập',
    'Autonomy of subordinate administrative and public service units: degree of autonomy, better and wider services to raise service revenue, higher income from it'),
  c('h2', 'h', planned,
    'Tự chủ tại cơ quan, đơn vị: ban hành quy chế chi tiêu nội bộ, tiết kiệm kinh phí quản lý hành chính',
    'Autonomy of the unit itself: internal spending rules and savings on administrative running costs'),

  // i) Hiện đại hóa hành chính — ứng dụng công nghệ thông tin (six sub-items)
  c('i1', 'i', planned,
    'Kết quả thực hiện kế hoạch ứng dụng CNTT; áp dụng phần mềm quản lý văn bản và điều hành, sử dụng thư điện tử của tỉnh',
    "Results of the IT-application plan; use of the document-management and direction software and of the province's e-mail system"),
  c('i2', 'i', planned,
    'Triển khai Hệ thống Dịch vụ hành chính công trực tuyến tích hợp Một cửa điện tử liên thông của tỉnh (thuê dịch vụ)',
    "Deployment of the province's online public-service system integrated with the inter-agency electronic one-stop shop (leased service)"),
  c('i3', 'i', planned,
    'Hoạt động của Cổng/Trang thông tin điện tử, mức độ cung cấp dịch vụ công trực tuyến; cập nhật, sử dụng phần mềm quản lý cán bộ, công chức',
    'Operation of the web portal/site and level of online public services; updating and use of the personnel-management software'),
  c('i4', 'i', planned,
    'Sử dụng thư điện tử công vụ; cung cấp dịch vụ công trực tuyến mức độ 3, 4 và số hồ sơ giải quyết trực tuyến mức độ 3, 4',
    'Use of official e-mail by staff; level-3 and level-4 online public services provided and dossiers resolved online at those levels'),
  c('i5', 'i', planned,
    'Tỷ lệ TTHC có phát sinh hồ sơ tiếp nhận/trả kết quả qua dịch vụ bưu chính công ích',
    'Share of procedures with dossiers received or results returned through the public postal service'),
  c('i6', 'i', planned,
    'Tỷ lệ trao đổi văn bản điện tử (có ký số) giữa các cơ quan hành chính nhà nước trên Phần mềm quản lý văn bản và điều hành',
    'Share of electronic (digitally signed) documents exchanged between state administrative agencies through the document-management software'),
  // i) — áp dụng hệ thống quản lý chất lượng ISO
  c('i7', 'i', planned,
    'Áp dụng, duy trì, mở rộng, cải tiến hệ thống quản lý chất lượng theo TCVN ISO 9001; hoàn thiện hồ sơ tự công bố',
    'Applying, maintaining, extending and improving the TCVN ISO 9001 quality-management system; completing the self-declaration of conformity'),

  // II.2 Kiểm tra đột xuất
  c('s1', 's', surprise,
    'Thực hiện Quy chế văn hóa công sở; giờ giấc, nội quy, quy chế làm việc; quy tắc ứng xử, nghĩa vụ, những việc CBCCVC được làm và không được làm',
    'Office-culture rules; working hours, internal rules and working regulations; code of conduct, duties, and what staff may and may not do'),
  c('s2', 's', surprise,
    'Tiếp nhận, giải quyết TTHC theo cơ chế một cửa, một cửa liên thông, một cửa hiện đại; xin lỗi bằng văn bản đối với hồ sơ quá hạn',
    'Receiving and resolving procedures through the one-stop, inter-agency and modern one-stop mechanisms; written apologies for overdue dossiers'),
];

export function criterionCodesFor(kind: InspectionKind): string[] {
  return criteria.filter((c) => c.appliesTo.includes(kind)).map((c) => c.code);
}

export function findCriterion(code: string): Criterion | undefined {
  return criteria.find((c) => c.code === code);
}
