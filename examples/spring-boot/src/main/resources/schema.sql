create table if not exists listings (id bigint primary key, title varchar(200) not null, price int not null);
create table if not exists bookings (
  id bigint auto_increment primary key,
  guest varchar(200) not null,
  listing bigint not null references listings(id),
  nights int not null,
  payment varchar(50) not null);
