
module.exports = class Seed1690000000001 {
  // a comment with queryRunner.createTable( in it
  async up(qr) {
    await qr.query("INSERT INTO settings (key, value) " + 'VALUES ($1, $2)', ["it's", 42]);
    /* block comment */
    await qr.query(("UPDATE settings SET value = $1 ") + "WHERE key = 'x'", [null]);
    return qr.query('SELECT 1')
  }
  async down(qr) { await qr.query(`DELETE FROM settings WHERE key IN ('it''s')`) }
};
