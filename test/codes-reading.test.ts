// Row labels as OCR reads them, held against the known labels: a misread character or two still names
// the class or the summary row, unless another known label is as near.
import { describe, expect, it } from 'vitest';
import { classCodeByName, readKnownLabel } from '../src/domain/codes.js';

const codeOf = (reading: string, system: 'func' | 'econ' = 'func') => readKnownLabel(reading, system)?.code ?? null;
const labelOf = (reading: string, system: 'func' | 'econ' = 'func') => readKnownLabel(reading, system)?.label ?? null;

describe('readKnownLabel', () => {
  it('takes an exact name as it is', () => {
    expect(readKnownLabel('社会保障和就业支出', 'func')).toEqual({ label: '社会保障和就业支出', code: '208' });
    expect(readKnownLabel('工资福利支出', 'econ')).toEqual({ label: '工资福利支出', code: '301' });
    expect(readKnownLabel('基本支出', 'func')).toEqual({ label: '基本支出', code: null });
  });

  it('maps a reading within one or two misread characters to its class', () => {
    expect(classCodeByName('社会保障和就业广出', 'func')).toBeNull();
    expect(codeOf('社会保障和就业广出')).toBe('208');
    expect(codeOf('人在房保障支出')).toBe('221'); // 住 read 人在
    expect(codeOf('入、住房你障支出')).toBe('221'); // punctuation and a stray 入 ignored
    expect(codeOf('教盲支出')).toBe('205');
    expect(codeOf('商品和服务支岀', 'econ')).toBe('302');
    expect(labelOf('社会保障和就业广出')).toBe('社会保障和就业支出');
  });

  it('mends a summary row label, which has no code', () => {
    expect(readKnownLabel('-财政拨款', 'func')).toEqual({ label: '财政拨款', code: null });
    expect(readKnownLabel('合汁', 'func')).toEqual({ label: '合计', code: null });
    expect(readKnownLabel('分散白行组织', 'econ')).toEqual({ label: '分散自行组织', code: null }); // a procurement form
  });

  it('takes a sure reading with at most one misread character, in a label of four at least', () => {
    expect(readKnownLabel('分散白行组织', 'econ', true)).toEqual({ label: '分散自行组织', code: null });
    expect(readKnownLabel('当年收入小计', 'func', true)).toEqual({ label: '当年收入小计', code: null });
    expect(readKnownLabel('上年结转资金', 'func', true)).toBeNull(); // printed so: two from 上年结转
    expect(readKnownLabel('人在房保障支出', 'func', true)).toBeNull(); // two misreads
    expect(readKnownLabel('合汁', 'func', true)).toBeNull(); // too short
    expect(readKnownLabel('社会保障和就业广出', 'func', true)?.code).toBe('208');
  });

  it('gives nothing when another known label is as near, or none is near enough', () => {
    expect(readKnownLabel('其本支出', 'func')).toBeNull(); // 基本支出 or 其他支出 (229)?
    expect(readKnownLabel('住房改草支出', 'func')?.code ?? null).toBeNull(); // 住房改革支出 is a 款, nearer than 住房保障支出
    expect(readKnownLabel('外防支出', 'func')).toBeNull(); // 外交支出 and 国防支出 equally near
    expect(readKnownLabel('分散委托采购', 'func')).toBeNull(); // 分散委托代理 and 分散采购 equally near
    expect(readKnownLabel('台式计算机', 'func')).toBeNull(); // no known label near
    expect(readKnownLabel('支', 'func')).toBeNull();
  });
});
