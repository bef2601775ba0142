module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'policies',
  rootDir: __dirname,
};
