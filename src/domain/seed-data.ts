/**
 * Demo data: the 2020 administrative-reform inspection plan of Đắk Lắk
 * province (Quyết định của Chủ tịch UBND tỉnh, tháng 5/2020, see
 * /work/shared/domain/ke-hoach-kiem-tra-cchc-2020-dak-lak.vi.md) and the units
 * it concerns, as they were in 2020 (three tiers: province → district →
 * commune). Pure data, no I/O; loaded into an empty database when
 * SEED_DEMO is on.
 *
 * E-mail addresses are placeholders on the example domain, never real ones.
 */

export type SeedUnitKind = 'province' | 'department' | 'district' | 'commune';

export interface SeedUnit {
  code: string;
  name: string;
  kind: SeedUnitKind;
  parentCode?: string;
  contacts?: { name?: string; email: string }[];
  validFrom?: string;
  validTo?: string;
  successorCodes?: string[];
}

export interface SeedCoverageRule {
  kind: string;
  minRatio: number;
  maxRatio?: number;
  /** For sampled sub-units: the kind of the inspected parent they are drawn from. */
  of?: string;
}

export interface SeedPlan {
  year: number;
  title: string;
  decisionNo?: string;
  reviewPeriod: { from: string; to: string };
  visitWindow: { from: string; to: string };
  targets: string[];
  coverage: SeedCoverageRule[];
}

export interface SeedScheduleEntry {
  unitCode: string;
  date: string;
}

export const PROVINCE_CODE = 'DLK';

/** The day before district-level government was abolished (1 July 2025). */
const DISTRICTS_ABOLISHED_VALID_TO = '2025-06-30';

/** The example domain all placeholder addresses live on. */
export const SEED_EMAIL_DOMAIN = 'example.gov.vn';

function clerk(subdomain: string): { name: string; email: string }[] {
  return [{ name: 'Văn thư', email: `vanthu@${subdomain}.${SEED_EMAIL_DOMAIN}` }];
}

const province: SeedUnit = {
  code: PROVINCE_CODE,
  name: 'UBND tỉnh Đắk Lắk',
  kind: 'province',
  contacts: clerk('ubnd'),
};

/**
 * Sở, ban, ngành: the 19 specialised agencies of the Provincial People's
 * Committee in 2020 (incl. Văn phòng UBND tỉnh, Thanh tra tỉnh, Ban Dân tộc),
 * the Industrial Zones Authority, and the centrally managed agencies that the
 * province's reform work covers (Kho bạc Nhà nước — inspected in 2020 —, Cục
 * Thuế, Bảo hiểm xã hội). 23 in all, so that the plan's 7 = ⌈30 % × 23⌉.
 */
const departmentList: [code: string, name: string, target: boolean][] = [
  ['VPUBND', 'Văn phòng UBND tỉnh', false],
  ['SNV', 'Sở Nội vụ', false],
  ['STP', 'Sở Tư pháp', true],
  ['SKHDT', 'Sở Kế hoạch và Đầu tư', true],
  ['STC', 'Sở Tài chính', false],
  ['SCT', 'Sở Công Thương', false],
  ['SNNPTNT', 'Sở Nông nghiệp và Phát triển nông thôn', false],
  ['SGTVT', 'Sở Giao thông vận tải', false],
  ['SXD', 'Sở Xây dựng', true],
  ['STNMT', 'Sở Tài nguyên và Môi trường', false],
  ['STTTT', 'Sở Thông tin và Truyền thông', false],
  ['SLDTBXH', 'Sở Lao động - Thương binh và Xã hội', false],
  ['SVHTTDL', 'Sở Văn hóa, Thể thao và Du lịch', false],
  ['SKHCN', 'Sở Khoa học và Công nghệ', false],
  ['SGDDT', 'Sở Giáo dục và Đào tạo', false],
  ['SYT', 'Sở Y tế', true],
  ['SNGV', 'Sở Ngoại vụ', true],
  ['TTT', 'Thanh tra tỉnh', true],
  ['BDT', 'Ban Dân tộc', false],
  ['BQLKCN', 'Ban Quản lý các khu công nghiệp tỉnh', false],
  ['KBNN', 'Kho bạc Nhà nước tỉnh', true],
  ['CTHUE', 'Cục Thuế tỉnh', false],
  ['BHXH', 'Bảo hiểm xã hội tỉnh', false],
];

const departments: SeedUnit[] = departmentList.map(([code, name, target]) => ({
  code,
  name,
  kind: 'department',
  parentCode: PROVINCE_CODE,
  // Targets get a contact; so does Sở Nội vụ, which runs the plan.
  ...(target || code === 'SNV' ? { contacts: clerk(code.toLowerCase()) } : {}),
}));

/** The 15 district-level units of 2020 (1 city, 1 town, 13 districts). */
const districtList: [code: string, name: string, target: boolean][] = [
  ['TP-BMT', 'UBND thành phố Buôn Ma Thuột', false],
  ['TX-BUONHO', 'UBND thị xã Buôn Hồ', true],
  ['H-EAHLEO', "UBND huyện Ea H'leo", true],
  ['H-EASUP', 'UBND huyện Ea Súp', false],
  ['H-KRONGNANG', 'UBND huyện Krông Năng', false],
  ['H-KRONGBUK', 'UBND huyện Krông Búk', false],
  ['H-BUONDON', 'UBND huyện Buôn Đôn', true],
  ['H-CUMGAR', "UBND huyện Cư M'gar", false],
  ['H-EAKAR', 'UBND huyện Ea Kar', false],
  ['H-MDRAK', "UBND huyện M'Đrắk", false],
  ['H-KRONGPAC', 'UBND huyện Krông Pắc', true],
  ['H-KRONGBONG', 'UBND huyện Krông Bông', false],
  ['H-KRONGANA', 'UBND huyện Krông A Na', false],
  ['H-LAK', 'UBND huyện Lắk', true],
  ['H-CUKUIN', 'UBND huyện Cư Kuin', false],
];

const districts: SeedUnit[] = districtList.map(([code, name, target]) => ({
  code,
  name,
  kind: 'district',
  parentCode: PROVINCE_CODE,
  validTo: DISTRICTS_ABOLISHED_VALID_TO,
  ...(target ? { contacts: clerk(code.replace(/^(H|TX|TP)-/, '').toLowerCase()) } : {}),
}));

type CommuneType = 'xã' | 'phường' | 'thị trấn';

/**
 * All commune-level units (xã, phường, thị trấn) of the five target districts
 * as of 2020. Code = `X-<district>-<commune>`, ASCII upper case.
 */
const communeLists: Record<string, [suffix: string, type: CommuneType, name: string][]> = {
  // Huyện Ea H'leo: 1 thị trấn + 11 xã = 12.
  'H-EAHLEO': [
    ['EADRANG', 'thị trấn', 'Ea Drăng'],
    ['EAHLEO', 'xã', "Ea H'leo"],
    ['EASOL', 'xã', 'Ea Sol'],
    ['EARAL', 'xã', 'Ea Ral'],
    ['EAWY', 'xã', 'Ea Wy'],
    ['CUAMUNG', 'xã', 'Cư A Mung'],
    ['CUMOT', 'xã', 'Cư Mốt'],
    ['EAHIAO', 'xã', 'Ea Hiao'],
    ['EAKHAL', 'xã', 'Ea Khal'],
    ['DLIEYANG', 'xã', 'Dliê Yang'],
    ['EATIR', 'xã', 'Ea Tir'],
    ['EANAM', 'xã', 'Ea Nam'],
  ],
  // Thị xã Buôn Hồ: 7 phường + 5 xã = 12.
  'TX-BUONHO': [
    ['ANLAC', 'phường', 'An Lạc'],
    ['ANBINH', 'phường', 'An Bình'],
    ['THIENAN', 'phường', 'Thiện An'],
    ['DATHIEU', 'phường', 'Đạt Hiếu'],
    ['DOANKET', 'phường', 'Đoàn Kết'],
    ['THONGNHAT', 'phường', 'Thống Nhất'],
    ['BINHTAN', 'phường', 'Bình Tân'],
    ['BINHTHUAN', 'xã', 'Bình Thuận'],
    ['CUBAO', 'xã', 'Cư Bao'],
    ['EABLANG', 'xã', 'Ea Blang'],
    ['EADRONG', 'xã', 'Ea Drông'],
    ['EASIEN', 'xã', 'Ea Siên'],
  ],
  // Huyện Krông Pắc: 1 thị trấn + 15 xã = 16.
  'H-KRONGPAC': [
    ['PHUOCAN', 'thị trấn', 'Phước An'],
    ['EAKENH', 'xã', 'Ea Kênh'],
    ['EAPHE', 'xã', 'Ea Phê'],
    ['EAKNUEC', 'xã', 'Ea Knuếc'],
    ['KRONGBUK', 'xã', 'Krông Búk'],
    ['HOAAN', 'xã', 'Hòa An'],
    ['EAYONG', 'xã', 'Ea Yông'],
    ['HOATIEN', 'xã', 'Hòa Tiến'],
    ['TANTIEN', 'xã', 'Tân Tiến'],
    ['EAKLY', 'xã', 'Ea Kly'],
    ['EAUY', 'xã', 'Ea Uy'],
    ['EAHIU', 'xã', 'Ea Hiu'],
    ['HOADONG', 'xã', 'Hòa Đông'],
    ['VUBON', 'xã', 'Vụ Bổn'],
    ['EAKUANG', 'xã', 'Ea Kuăng'],
    ['EAYIENG', 'xã', 'Ea Yiêng'],
  ],
  // Huyện Lắk: 1 thị trấn + 10 xã = 11.
  'H-LAK': [
    ['LIENSON', 'thị trấn', 'Liên Sơn'],
    ['YANGTAO', 'xã', 'Yang Tao'],
    ['BONGKRANG', 'xã', 'Bông Krang'],
    ['DAKLIENG', 'xã', 'Đắk Liêng'],
    ['BUONTRIET', 'xã', 'Buôn Triết'],
    ['BUONTRIA', 'xã', 'Buôn Tría'],
    ['DAKPHOI', 'xã', 'Đắk Phơi'],
    ['DAKNUE', 'xã', 'Đắk Nuê'],
    ['KRONGNO', 'xã', 'Krông Nô'],
    ['NAMKA', 'xã', 'Nam Ka'],
    ['EARBIN', 'xã', "Ea R'Bin"],
  ],
  // Huyện Buôn Đôn: 7 xã.
  'H-BUONDON': [
    ['TANHOA', 'xã', 'Tân Hòa'],
    ['EAWER', 'xã', 'Ea Wer'],
    ['EAHUAR', 'xã', 'Ea Huar'],
    ['KRONGNA', 'xã', 'Krông Na'],
    ['EANUOL', 'xã', 'Ea Nuôl'],
    ['CUORKNIA', 'xã', 'Cuôr Knia'],
    ['EABAR', 'xã', 'Ea Bar'],
  ],
};

const communes: SeedUnit[] = Object.entries(communeLists).flatMap(([districtCode, list]) => {
  const short = districtCode.replace(/^(H|TX|TP)-/, '');
  return list.map(([suffix, type, name]): SeedUnit => ({
    code: `X-${short}-${suffix}`,
    name: `UBND ${type} ${name}`,
    kind: 'commune',
    parentCode: districtCode,
  }));
});

/** Parents before children, so the list can be inserted in order. */
export const seedUnits: SeedUnit[] = [province, ...departments, ...districts, ...communes];

/** The 12 units of the plan's annex (Danh sách các đơn vị được kiểm tra), in its order. */
export const seedTargets2020: string[] = [
  // I. Sở, ban, ngành
  'SKHDT',
  'SXD',
  'SNGV',
  'STP',
  'SYT',
  'TTT',
  'KBNN',
  // II. UBND cấp huyện
  'H-EAHLEO',
  'TX-BUONHO',
  'H-KRONGPAC',
  'H-LAK',
  'H-BUONDON',
];

export const seedPlan2020: SeedPlan = {
  year: 2020,
  title: 'Kế hoạch kiểm tra cải cách hành chính năm 2020 trên địa bàn tỉnh Đắk Lắk',
  // The document leaves the number blank ("Số: /QĐ-UBND", dated "/5/2020"):
  // a placeholder, to be replaced by the real number.
  decisionNo: '…/QĐ-UBND',
  // III.3.a: "từ ngày 01/01/2019 đến hết tháng 6/2020".
  reviewPeriod: { from: '2019-01-01', to: '2020-06-30' },
  // III.4.a: "từ tháng 8 đến hết tháng 10/2020".
  visitWindow: { from: '2020-08-01', to: '2020-10-31' },
  targets: [...seedTargets2020],
  // III.1: ≥ 30 % of sở, ban, ngành; ≥ 30 % of district-level units; on-site
  // checks of 15–20 % of the communes of each inspected district.
  coverage: [
    { kind: 'department', minRatio: 0.3 },
    { kind: 'district', minRatio: 0.3 },
    { kind: 'commune', minRatio: 0.15, maxRatio: 0.2, of: 'district' },
  ],
};

/**
 * Per-unit visit dates. The plan gives none: Sở Nội vụ notifies the schedule
 * later (V.1.c "thông báo lịch kiểm tra"), inside the August–October 2020
 * window. Left empty rather than invented.
 */
export const seedSchedule2020: SeedScheduleEntry[] = [];
