import { type FindOptionsOrder, type FindOptionsWhere, In, Not, type ObjectLiteral, type Repository } from 'typeorm';

/** The TypeORM calls every table needs, so feature repositories only add what is particular to them. */
export abstract class EntityRepository<T extends ObjectLiteral & { id: number }> {
  protected constructor(protected readonly repo: Repository<T>) {}

  findPage(limit: number, offset: number, where?: FindOptionsWhere<T>): Promise<[T[], number]> {
    return this.repo.findAndCount({ where, order: { id: 'ASC' } as FindOptionsOrder<T>, take: limit, skip: offset });
  }

  findById(id: number): Promise<T | null> {
    return this.repo.findOneBy({ id } as FindOptionsWhere<T>);
  }

  /** Another row already using this unique name (ignoring `exceptId`, the row being renamed). */
  async nameTaken(name: string, exceptId?: number): Promise<boolean> {
    const where = { name, ...(exceptId ? { id: Not(exceptId) } : {}) } as unknown as FindOptionsWhere<T>;
    return (await this.repo.countBy(where)) > 0;
  }

  /** Which of these ids do not exist. */
  async missingIds(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const found = await this.repo.find({ select: { id: true } as never, where: { id: In(ids) } as FindOptionsWhere<T> });
    const present = new Set(found.map((row) => row.id));
    return [...new Set(ids)].filter((id) => !present.has(id));
  }

  async insert(values: Partial<T>): Promise<T> {
    return this.repo.save(this.repo.create(values as T));
  }

  async update(id: number, values: Partial<T>): Promise<T | null> {
    if (Object.keys(values).length > 0) await this.repo.update(id, values as never);
    return this.findById(id);
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.repo.delete(id);
    return (result.affected ?? 0) > 0;
  }
}
