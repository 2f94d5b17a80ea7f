export class Builder1700000000002 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.createTable(new Table({ name: "t", columns: [] }), true);
        for (const t of tables) {
            await queryRunner.query(`DROP TABLE ${t}`);
        }
        if (process.env.X) { await queryRunner.query("SELECT 1"); } else { }
        const name = "t";
        await queryRunner.query("SELECT " + name);
        await queryRunner.query(`SELECT ${name}`);
        await queryRunner.query("SELECT $1", [name]);
    }
    public async down(queryRunner: QueryRunner): Promise<void> {}
}
