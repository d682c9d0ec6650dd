import { describe, expect, it } from 'vitest';
import { Broadcast } from './subsystem.ts';

describe('Broadcast', () => {
	it('tells every listener in the order they listened', () => {
		const heard: string[] = [];
		const b = new Broadcast<number>(() => {});
		b.listen((v) => heard.push(`a${v}`));
		b.listen((v) => heard.push(`b${v}`));
		b.emit(1);
		b.emit(2);
		expect(heard).toEqual(['a1', 'b1', 'a2', 'b2']);
	});

	it('a listener that throws is reported and the rest still hear the value', () => {
		const errors: unknown[] = [];
		const heard: number[] = [];
		const b = new Broadcast<number>((err) => errors.push(err));
		b.listen(() => {
			throw new Error('first broke');
		});
		b.listen((v) => heard.push(v));
		b.emit(3);
		expect(heard).toEqual([3]);
		expect(errors).toEqual([new Error('first broke')]);
	});

	it('emitting with no listener does nothing', () => {
		expect(() => new Broadcast<number>(() => {}).emit(1)).not.toThrow();
	});
});
